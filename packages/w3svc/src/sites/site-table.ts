// Site runtime state kept by w3svc: serverAutoStart decides the state a site starts in; StartSite
// and StopSite change it. The configuration itself comes from was.
import type { SiteDescriptor, SiteState, SiteStatus } from '@poolhost/protocol';

export class SiteNotFoundError extends Error {
  readonly code = 'NotFound';
  constructor(name: string) {
    super(`Cannot find SITE object with identifier "${name}".`);
  }
}

export class SiteStateError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

export class SiteTable {
  private sites: SiteDescriptor[] = [];
  private readonly states = new Map<number, SiteState>();

  /** New sites take their serverAutoStart state; sites already known keep their runtime state. */
  apply(sites: SiteDescriptor[]): void {
    const ids = new Set(sites.map((site) => site.id));
    for (const id of [...this.states.keys()]) if (!ids.has(id)) this.states.delete(id);
    for (const site of sites) {
      if (!this.states.has(site.id)) this.states.set(site.id, site.serverAutoStart ? 'Started' : 'Stopped');
    }
    this.sites = sites;
  }

  get all(): ReadonlyArray<SiteDescriptor> {
    return this.sites;
  }

  stateOf(site: SiteDescriptor): SiteState {
    return this.states.get(site.id) ?? 'Stopped';
  }

  list(): SiteStatus[] {
    return this.sites.map((site) => ({
      id: site.id,
      name: site.name,
      state: this.stateOf(site),
      applicationPools: [...new Set(site.applications.map((application) => application.applicationPool))],
    }));
  }

  /** Site names are matched case-insensitively, as appcmd does. */
  find(name: string): SiteDescriptor {
    const site = this.sites.find((candidate) => candidate.name.toLowerCase() === name.toLowerCase());
    if (!site) throw new SiteNotFoundError(name);
    return site;
  }

  start(name: string): SiteDescriptor {
    const site = this.find(name);
    // ERROR_SERVICE_ALREADY_RUNNING (hresult 80070420)
    if (this.stateOf(site) === 'Started') throw new SiteStateError('80070420', 'An instance of the service is already running.');
    this.states.set(site.id, 'Started');
    return site;
  }

  stop(name: string): SiteDescriptor {
    const site = this.find(name);
    // ERROR_SERVICE_NOT_ACTIVE (hresult 80070426)
    if (this.stateOf(site) === 'Stopped') throw new SiteStateError('80070426', 'The service has not been started.');
    this.states.set(site.id, 'Stopped');
    return site;
  }
}
