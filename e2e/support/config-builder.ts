// Writes applicationHost.config text for a test: pools and sites as data, IIS's element layout.

export interface PoolSpec {
  name: string;
  /** Extra attributes on `<add>` (startMode, queueLength, autoStart …). */
  attributes?: Record<string, string>;
  processModel?: Record<string, string>;
  failure?: Record<string, string>;
  recycling?: Record<string, string>;
  periodicRestart?: Record<string, string>;
  /** `periodicRestart/schedule/add@value` times of day, e.g. `03:00:00`. */
  schedule?: string[];
  environmentVariables?: Record<string, string>;
  /** `<cpu>` attributes (limit, action, resetInterval, smpAffinitized …). */
  cpu?: Record<string, string>;
}

export interface ApplicationSpec {
  path: string;
  pool?: string;
  physicalPath: string;
  /** Virtual directories besides the root one (`/alias` → a folder). */
  virtualDirectories?: Array<{ path: string; physicalPath: string }>;
  /** Extra attributes on `<application>` (preloadEnabled …). */
  attributes?: Record<string, string>;
}

export interface SiteSpec {
  name: string;
  id: number;
  /** `IP:port:host` (http), `https/IP:port:host` with an optional `#sslFlags`, or `net.tcp/PORT:IP`. */
  bindings: string[];
  applications: ApplicationSpec[];
  attributes?: Record<string, string>;
  limits?: Record<string, string>;
}

function attributes(values: Record<string, string> | undefined): string {
  if (!values) return '';
  return Object.entries(values)
    .map(([name, value]) => ` ${name}="${value.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;')}"`)
    .join('');
}

function pool(spec: PoolSpec): string {
  const children: string[] = [];
  if (spec.processModel) children.push(`        <processModel${attributes(spec.processModel)} />`);
  if (spec.failure) children.push(`        <failure${attributes(spec.failure)} />`);
  if (spec.cpu) children.push(`        <cpu${attributes(spec.cpu)} />`);
  if (spec.recycling || spec.periodicRestart || spec.schedule) {
    children.push(`        <recycling${attributes(spec.recycling)}>`);
    if (spec.schedule) {
      children.push(`          <periodicRestart${attributes(spec.periodicRestart)}>`);
      children.push('            <schedule>');
      for (const value of spec.schedule) children.push(`              <add${attributes({ value })} />`);
      children.push('            </schedule>');
      children.push('          </periodicRestart>');
    } else if (spec.periodicRestart) {
      children.push(`          <periodicRestart${attributes(spec.periodicRestart)} />`);
    }
    children.push('        </recycling>');
  }
  if (spec.environmentVariables) {
    children.push('        <environmentVariables>');
    for (const [name, value] of Object.entries(spec.environmentVariables)) {
      children.push(`          <add${attributes({ name, value })} />`);
    }
    children.push('        </environmentVariables>');
  }
  const open = `      <add name="${spec.name}"${attributes(spec.attributes)}`;
  return children.length === 0 ? `${open} />` : `${open}>\n${children.join('\n')}\n      </add>`;
}

/** `127.0.0.1:80:` is an http binding; `https/*:443:www.example.test#1` an https one with sslFlags 1; `net.tcp/808:*` a net.tcp one. */
function bindingElement(binding: string): string {
  if (binding.startsWith('net.tcp/')) return `          <binding protocol="net.tcp" bindingInformation="${binding.slice('net.tcp/'.length)}" />`;
  const https = binding.startsWith('https/');
  const [information, sslFlags] = (https ? binding.slice('https/'.length) : binding).split('#');
  const flags = sslFlags === undefined ? '' : ` sslFlags="${sslFlags}"`;
  return `          <binding protocol="${https ? 'https' : 'http'}" bindingInformation="${information}"${flags} />`;
}

function site(spec: SiteSpec): string {
  const applications = spec.applications
    .map(
      (application) =>
        `        <application path="${application.path}"${application.pool ? ` applicationPool="${application.pool}"` : ''}${Object.entries(application.attributes ?? {}).map(([name, value]) => ` ${name}="${value}"`).join('')}>\n` +
        `          <virtualDirectory path="/" physicalPath="${application.physicalPath}" />\n` +
        (application.virtualDirectories ?? []).map((vdir) => `          <virtualDirectory path="${vdir.path}" physicalPath="${vdir.physicalPath}" />\n`).join('') +
        '        </application>',
    )
    .join('\n');
  const bindings = spec.bindings.map(bindingElement).join('\n');
  const limits = spec.limits ? `\n        <limits${attributes(spec.limits)} />` : '';
  return (
    `      <site name="${spec.name}" id="${spec.id}"${attributes(spec.attributes)}>\n${applications}\n` +
    `        <bindings>\n${bindings}\n        </bindings>${limits}\n      </site>`
  );
}

export function applicationHostConfig(options: {
  pools: PoolSpec[];
  sites: SiteSpec[];
  webLimits?: Record<string, string>;
  httpSys?: Record<string, string>;
  /** Attributes of `<applicationPools>` itself (poolhost's `spareWorkers`). */
  applicationPools?: Record<string, string>;
  /** poolhost's administration element (inetmgr's address, farm health). */
  webManagement?: Record<string, string>;
}): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<configuration>
  <system.applicationHost>
    <applicationPools${attributes(options.applicationPools)}>
${options.pools.map(pool).join('\n')}
      <applicationPoolDefaults managedRuntimeVersion="">
        <processModel identityType="ApplicationPoolIdentity" />
      </applicationPoolDefaults>
    </applicationPools>
    <sites>
${options.sites.map(site).join('\n')}
      <siteDefaults>
        <logFile logFormat="W3C" directory="{{root}}/logs/LogFiles" />
        <traceFailedRequestsLogging directory="{{root}}/logs/FailedReqLogFiles" />
      </siteDefaults>
      <applicationDefaults applicationPool="DefaultAppPool" />
    </sites>
    <webLimits${attributes(options.webLimits)} />
    <httpSys errorLoggingDir="{{root}}/logs/HTTPERR"${attributes(options.httpSys)} />${options.webManagement ? `\n    <webManagement${attributes(options.webManagement)} />` : ''}
  </system.applicationHost>
</configuration>
`;
}

/** One pool serving the root application of one site bound to 127.0.0.1:<port>, files in {{root}}/app. */
export function singlePoolConfig(port: number, pool: PoolSpec, options: { siteName?: string; webLimits?: Record<string, string> } = {}): string {
  return applicationHostConfig({
    pools: [pool],
    sites: [{ name: options.siteName ?? 'Site', id: 1, bindings: [`127.0.0.1:${port}:`], applications: [{ path: '/', pool: pool.name, physicalPath: '{{root}}/app' }] }],
    ...(options.webLimits ? { webLimits: options.webLimits } : {}),
  });
}

/** Several pools, each serving one application path of one site on 127.0.0.1:<port>, all from {{root}}/app. */
export function poolsBehindOneSite(port: number, pools: PoolSpec[], routes: Record<string, string>): string {
  return applicationHostConfig({
    pools,
    sites: [
      {
        name: 'Site',
        id: 1,
        bindings: [`127.0.0.1:${port}:`],
        applications: Object.entries(routes).map(([path, pool]) => ({ path, pool, physicalPath: '{{root}}/app' })),
      },
    ],
  });
}
