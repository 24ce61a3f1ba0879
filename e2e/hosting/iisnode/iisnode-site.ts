// An iisnode application laid out as iisnode's samples are: a folder with hello.js mapped to iisnode by
// its web.config handler, and the <iisnode> attributes (and appSettings) a test gives.
import { startSite, type RunningSite } from '../../pipeline/pipeline-support.js';

export interface IisnodeAppOptions {
  hello: string;
  iisnode?: Record<string, string>;
  appSettings?: Record<string, string>;
  files?: Record<string, string>;
  /** Files of a site root application (`/` in www/) above the iisnode application, e.g. its web.config. */
  siteRootFiles?: Record<string, string>;
}

export function iisnodeWebConfig(iisnode: Record<string, string> = {}, appSettings: Record<string, string> = {}): string {
  const attributes = Object.entries(iisnode).map(([name, value]) => ` ${name}="${value}"`).join('');
  const settings = Object.entries(appSettings).map(([key, value]) => `<add key="${key}" value="${value}" />`).join('');
  return `<configuration>
  <appSettings>${settings}</appSettings>
  <system.webServer>
    <handlers><add name="iisnode" path="hello.js" verb="*" modules="iisnode" /></handlers>
    <iisnode${attributes} />
  </system.webServer>
</configuration>`;
}

export function startIisnodeApp(options: IisnodeAppOptions, after: (fn: () => Promise<void>) => void): Promise<RunningSite> {
  const files: Record<string, string> = { 'app/hello.js': options.hello, 'app/web.config': iisnodeWebConfig(options.iisnode, options.appSettings) };
  for (const [name, text] of Object.entries(options.files ?? {})) files[`app/${name}`] = text;
  for (const [name, text] of Object.entries(options.siteRootFiles ?? {})) files[`www/${name}`] = text;
  const root = options.siteRootFiles ? [{ path: '/', pool: 'Pool', physicalPath: '{{root}}/www' }] : [];
  return startSite({ files, applications: [...root, { path: '/app', pool: 'Pool', physicalPath: '{{root}}/app' }] }, after);
}
