// An https site for a test: a throwaway CA, certificates, the SSL store file beside the configuration,
// and poolhost started on it.
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPoolhost, type PoolhostInstance } from '../support/poolhost-instance.js';
import { applicationHostConfig, type SiteSpec } from '../support/config-builder.js';
import { TestCertificateAuthority } from '../support/test-certificates.js';

export const echoApp = "module.exports = (req, res) => res.end(process.env.SITE_NAME + ' ' + req.headers['x-forwarded-proto'] + ' ' + req.url);";

export function newAuthority(): TestCertificateAuthority {
  return new TestCertificateAuthority(join(mkdtempSync(join(tmpdir(), 'poolhost-tls-')), 'ssl'));
}

export interface StoreEntry {
  [parameter: string]: string;
}

export function storeText(entries: StoreEntry[]): string {
  return `${JSON.stringify({ sslcert: entries }, null, 2)}\n`;
}

/** Sites (each with its own pool and app folder `{{root}}/<site>`), store entries, started poolhost. */
export async function startHttpsServer(
  options: {
    sites: Array<Omit<SiteSpec, 'applications'>>;
    store: StoreEntry[];
    waitForPort: number;
    webLimits?: Record<string, string>;
    /** Raw XML before </configuration> (`<location>` tags). */
    locations?: string;
    /** The application of every site (default: echoApp). */
    app?: string;
    /** Extra children of a site (after its <bindings>), by site name, and of <siteDefaults>. */
    siteChildren?: Record<string, string>;
    siteDefaults?: string;
    /** A last edit of the configuration text (attributes the builder does not write). */
    afterConfig?: (config: string) => string;
    /** More `poolhost start` arguments (`--metrics 127.0.0.1:<port>`). */
    args?: string[];
  },
  after: (fn: () => Promise<void>) => void,
): Promise<PoolhostInstance> {
  const files: Record<string, string> = { 'sslcert.json': storeText(options.store) };
  for (const site of options.sites) files[`${site.name}/server.js`] = (options.app ?? echoApp).replace('process.env.SITE_NAME', JSON.stringify(site.name));
  let config = applicationHostConfig({
    pools: options.sites.map((site) => ({ name: `${site.name}Pool` })),
    sites: options.sites.map((site) => ({
      ...site,
      applications: [{ path: '/', pool: `${site.name}Pool`, physicalPath: `{{root}}/${site.name}` }],
    })),
    ...(options.webLimits ? { webLimits: options.webLimits } : {}),
  });
  for (const [name, xml] of Object.entries(options.siteChildren ?? {})) {
    config = config.replace(new RegExp(`(<site name="${name}"[\\s\\S]*?</bindings>)`), `$1\n        ${xml}`);
  }
  if (options.siteDefaults) config = config.replace('<siteDefaults>', `<siteDefaults>\n        ${options.siteDefaults}`);
  if (options.locations) config = config.replace('</configuration>', `${options.locations}\n</configuration>`);
  if (options.afterConfig) config = options.afterConfig(config);
  // Every binding's port, not only the one named: bindings open one by one, and a test may use any of them first.
  const ports = new Set([options.waitForPort, ...options.sites.flatMap((site) => site.bindings.map(bindingPort))]);
  return startPoolhost({ config, files, waitForPort: [...ports], ...(options.args ? { args: options.args } : {}) }, after);
}

/** The port of a builder binding (`https/*:443:host#1`, `127.0.0.1:80:`). */
function bindingPort(binding: string): number {
  const port = Number(binding.replace(/^[a-z.]+\//, '').replace(/#\d+$/, '').split(':').at(-2));
  if (!Number.isInteger(port)) throw new Error(`no port in binding ${binding}`);
  return port;
}

export function writeStore(poolhost: PoolhostInstance, entries: StoreEntry[]): void {
  writeFileSync(join(poolhost.root, 'sslcert.json'), storeText(entries));
}
