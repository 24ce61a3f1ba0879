// One site on a free port with the given content and system.webServer configuration, for the pipeline
// and hosting suites. `webServer` goes into applicationHost.config's <system.webServer>; `siteDefaults`
// extra children (traceFailedRequestsLogging …) go into <siteDefaults>.
import { createRequire } from 'node:module';
import { startPoolhost, type PoolhostInstance } from '../support/poolhost-instance.js';
import { applicationHostConfig, type ApplicationSpec, type PoolSpec } from '../support/config-builder.js';
import { freePort, httpRequest, type HttpRequestOptions, type HttpResponse } from '../support/http.js';
import { appcmd } from '../appcmd/appcmd-process.js';

export interface SiteOptions {
  files: Record<string, string>;
  webServer?: string;
  /** Replaces the default `<traceFailedRequestsLogging directory=… />` of siteDefaults. */
  traceFailedRequestsLogging?: Record<string, string>;
  pools?: PoolSpec[];
  applications?: ApplicationSpec[];
  /** Raw XML after system.webServer (e.g. `<location path="Site/app">` tags). */
  locations?: string;
  /** Attributes of poolhost's `httpSys` element (HTTP.SYS' registry parameters). */
  httpSys?: Record<string, string>;
  /** poolhost's environment on top of the test's (POOLHOST_LOG_LEVEL …). */
  env?: Record<string, string>;
}

export interface RunningSite {
  poolhost: PoolhostInstance;
  port: number;
  get(path: string, options?: Omit<HttpRequestOptions, 'port' | 'path'>): Promise<HttpResponse>;
  appcmd(...args: string[]): ReturnType<typeof appcmd>;
}

export async function startSite(options: SiteOptions, after: (fn: () => Promise<void>) => void): Promise<RunningSite> {
  const port = await freePort();
  let config = applicationHostConfig({
    pools: options.pools ?? [{ name: 'Pool' }],
    sites: [{ name: 'Site', id: 1, bindings: [`127.0.0.1:${port}:`], applications: options.applications ?? [{ path: '/', pool: 'Pool', physicalPath: '{{root}}/www' }] }],
    ...(options.httpSys ? { httpSys: options.httpSys } : {}),
  });
  if (options.traceFailedRequestsLogging) {
    const attributes = Object.entries({ directory: '{{root}}/logs/FailedReqLogFiles', ...options.traceFailedRequestsLogging })
      .map(([name, value]) => ` ${name}="${value}"`)
      .join('');
    config = config.replace(/<traceFailedRequestsLogging [^>]*\/>/, `<traceFailedRequestsLogging${attributes} />`);
  }
  if (options.webServer) config = config.replace('</configuration>', `  <system.webServer>\n${options.webServer}\n  </system.webServer>\n</configuration>`);
  if (options.locations) config = config.replace('</configuration>', `${options.locations}\n</configuration>`);
  const poolhost = await startPoolhost({ config, files: options.files, waitForPort: port, ...(options.env ? { env: options.env } : {}) }, after);
  const env = { POOLHOST_RUN_DIR: poolhost.runDirectory, POOLHOST_CONFIG: poolhost.configFile };
  return {
    poolhost,
    port,
    get: (path, request = {}) => httpRequest({ port, path, ...request }),
    appcmd: (...args) => appcmd(args, { env }),
  };
}

/** Absolute path of a package the e2e package depends on (express, koa, fastify, ws …), for apps written to temp folders. */
const requireFromE2e = createRequire(import.meta.url);
export function dependency(name: string): string {
  return requireFromE2e.resolve(name);
}

/** A `require()` of an e2e dependency, as text for an app's source. */
export function requireDependency(name: string): string {
  return `require(${JSON.stringify(dependency(name))})`;
}
