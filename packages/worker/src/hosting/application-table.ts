// (site id, application path) -> the application loaded in this worker. Paths come from httpsys exactly
// as configured; a case-insensitive second probe covers a differently cased copy of the config.
import type { HostedApplication } from './hosted-application.js';
import type { NodeApplication } from './node-application.js';

export class ApplicationTable {
  private readonly sites = new Map<number, Map<string, HostedApplication>>();
  readonly all: HostedApplication[] = [];
  /** Per site id, the application that takes the site's net.tcp connections (one per site). */
  readonly netTcp = new Map<number, NodeApplication>();

  add(application: HostedApplication): void {
    let paths = this.sites.get(application.siteId);
    if (!paths) this.sites.set(application.siteId, (paths = new Map()));
    paths.set(application.path, application);
    paths.set(application.path.toLowerCase(), application);
    this.all.push(application);
  }

  find(siteId: number, path: string): HostedApplication | null {
    const paths = this.sites.get(siteId);
    if (!paths) return null;
    return paths.get(path) ?? paths.get(path.toLowerCase()) ?? null;
  }
}
