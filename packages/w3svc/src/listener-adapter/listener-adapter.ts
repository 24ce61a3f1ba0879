// The WWW service as HTTP listener adapter: turns the site configuration from was into URL groups
// and request queues in httpsys (again on every configuration change), relays queue state changes
// down and activation (WorkerDemanded, RequestQueueActive) and the standby's promotion (StandbyPromoted) up.
import { startupMark } from '@poolhost/common/startup-trace';
import { firstWorkDone, type Logger } from '@poolhost/common';
import type {
  ApplySiteConfiguration,
  ApplyUrlGroups,
  HandlerTable,
  RequestQueueActive,
  RequestQueueState,
  SetRequestQueueState,
  SiteList,
  StandbyPromoted,
  WorkerDemanded,
} from '@poolhost/protocol';
import { SiteTable } from '../sites/site-table.js';
import { buildUrlGroups } from '../url-groups/build-url-groups.js';

export interface ListenerAdapterLinks {
  /** Sends to httpsys; false when httpsys is not connected (it gets everything again on connect). */
  toHttpSys(message: ApplyUrlGroups | SetRequestQueueState): boolean;
  /** Sends to was; false when was is not connected. */
  toWas(message: WorkerDemanded | RequestQueueActive | StandbyPromoted): boolean;
}

export class ListenerAdapter {
  readonly sites = new SiteTable();
  private configuration: ApplySiteConfiguration | null = null;
  /** The latest state of every queue, so a reconnected httpsys gets them inside ApplyUrlGroups. */
  private readonly queueStates = new Map<string, RequestQueueState>();

  constructor(private readonly links: ListenerAdapterLinks, private readonly logger: Logger) {}

  get configured(): boolean {
    return this.configuration !== null;
  }

  applySiteConfiguration(configuration: ApplySiteConfiguration): void {
    this.configuration = configuration;
    this.sites.apply(configuration.sites);
    this.queueStates.clear();
    for (const state of configuration.queueStates) this.queueStates.set(state.applicationPool.toLowerCase(), state);
    this.logger.info(
      { sites: configuration.sites.length, requestQueues: configuration.requestQueues.length },
      `site configuration received: ${configuration.sites.length} sites, ${configuration.requestQueues.length} request queues`,
    );
    this.programHttpSys();
  }

  setRequestQueueState(state: RequestQueueState): void {
    this.queueStates.set(state.applicationPool.toLowerCase(), state);
    this.logger.info(
      { pool: state.applicationPool, enabled: state.enabled, disabledReason: state.disabledReason },
      `request queue '${state.applicationPool}' ${state.enabled ? 'enabled' : `disabled (${state.disabledReason ?? 'Disabled'})`}`,
    );
    this.links.toHttpSys({ type: 'SetRequestQueueState', state });
  }

  workerDemanded(message: WorkerDemanded): void {
    startupMark('w3svc WorkerDemanded');
    if (!this.links.toWas(message)) {
      this.logger.warn({ pool: message.applicationPool }, `a worker is demanded for '${message.applicationPool}' but was is not connected`);
    }
    // w3svc's part of a demand start: its code cache is saved a moment later (@poolhost/common's code-cache/).
    firstWorkDone();
  }

  /** A queue is receiving requests again: was thaws a worker it suspended for inactivity. */
  requestQueueActive(message: RequestQueueActive): void {
    if (!this.links.toWas(message)) {
      this.logger.warn({ pool: message.applicationPool }, `request queue '${message.applicationPool}' is active but was is not connected`);
    }
  }

  /** httpsys handed a crashed worker's queue to the pool's standby: was makes it the pool's active worker. */
  standbyPromoted(message: StandbyPromoted): void {
    if (!this.links.toWas(message)) {
      this.logger.warn({ pool: message.applicationPool, workerPid: message.pid }, `standby worker ${message.pid} of '${message.applicationPool}' was promoted but was is not connected`);
    }
  }

  /** Called on every (re)connect of httpsys and on every change: httpsys always gets the whole table. */
  programHttpSys(): void {
    if (!this.configuration) return;
    this.links.toHttpSys(buildUrlGroups(this.configuration, this.sites, this.queueStates));
  }

  listSites(): SiteList {
    return { type: 'SiteList', sites: this.sites.list() };
  }

  /** Messages from was. */
  wasHandlers(): HandlerTable {
    return {
      ApplySiteConfiguration: (message) => this.applySiteConfiguration(message),
      SetRequestQueueState: (message) => this.setRequestQueueState(message.state),
      // httpsys asks again by itself whenever requests still wait with no worker; nothing to relay.
      ListenerChannelAvailable: () => undefined,
    };
  }

  /** Messages from httpsys. */
  httpSysHandlers(): HandlerTable {
    return {
      WorkerDemanded: (message) => this.workerDemanded(message),
      RequestQueueActive: (message) => this.requestQueueActive(message),
      StandbyPromoted: (message) => this.standbyPromoted(message),
    };
  }

  /** Messages on w3svc's own socket (appcmd, poolhost). */
  managementHandlers(): HandlerTable {
    return {
      ListSites: () => this.listSites(),
      StartSite: (message) => {
        const site = this.sites.start(message.name);
        this.logger.info({ siteId: site.id }, `site '${site.name}' started`);
        this.programHttpSys();
        return { type: 'Acknowledged', detail: `"${site.name}" successfully started.` };
      },
      StopSite: (message) => {
        const site = this.sites.stop(message.name);
        this.logger.info({ siteId: site.id }, `site '${site.name}' stopped`);
        this.programHttpSys();
        return { type: 'Acknowledged', detail: `"${site.name}" successfully stopped.` };
      },
    };
  }
}
