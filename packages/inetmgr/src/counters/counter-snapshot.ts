// One reading of every counter set, taken when /metrics, the status API or the change stream asks:
// httpsys (request queues, Web Service, HTTPERR), was (APP_POOL_WAS, W3SVC_W3WP), w3svc (site state),
// the net.tcp activator (its connection queues, when it runs),
// and each worker's CPU and memory from /proc/<pid>/stat. A service that does not answer leaves its
// part empty and is named in `unavailable`. Nothing is read between snapshots.
import type { ApplicationPoolCounters, ConfigurationState, ListenerCounters, NetTcpCounters, SiteList } from '@poolhost/protocol';
import type { ServiceQuery, QueriedService } from '../runtime/service-query.js';
import { ProcessUsageReader, type ProcessUsage } from './process-usage.js';

export type { ProcessUsage } from './process-usage.js';

export interface CounterSnapshot {
  takenAt: number;
  listener: ListenerCounters | null;
  applicationPools: ApplicationPoolCounters | null;
  sites: SiteList | null;
  /**
   * The net.tcp activator's connection queues; null when it does not answer. It runs only while a site
   * has a net.tcp binding, so its absence is not counted in `unavailable`.
   */
  netTcp?: NetTcpCounters | null;
  /** The configuration generation was runs (null: was did not answer). */
  configuration?: ConfigurationState | null;
  usage: Map<number, ProcessUsage>;
  unavailable: QueriedService[];
}

export class CounterCollector {
  private pending: Promise<CounterSnapshot> | null = null;
  latest: CounterSnapshot | null = null;

  constructor(
    private readonly query: ServiceQuery,
    private readonly usage = new ProcessUsageReader(),
  ) {}

  /** A fresh snapshot; callers that ask while one is being taken share it. */
  collect(): Promise<CounterSnapshot> {
    this.pending ??= this.take().finally(() => (this.pending = null));
    return this.pending;
  }

  /**
   * The services' counters without the workers' CPU and memory, not kept as `latest`: what a load
   * balancer's probe needs, answered within its check timeout even when /proc is slow to read.
   */
  collectServices(): Promise<CounterSnapshot> {
    return this.take(false);
  }

  private async take(withUsage = true): Promise<CounterSnapshot> {
    const unavailable: QueriedService[] = [];
    const ask = async <R>(service: QueriedService, type: 'GetListenerCounters' | 'GetApplicationPoolCounters' | 'ListSites' | 'GetNetTcpCounters'): Promise<R | null> => {
      try {
        return (await this.query.ask(service, { type })) as R;
      } catch {
        if (service !== 'nettcpactivator') unavailable.push(service);
        return null;
      }
    };
    // One question to each service; was' answer carries its configuration generation too.
    const [listener, applicationPools, sites, netTcp] = await Promise.all([
      ask<ListenerCounters>('httpsys', 'GetListenerCounters'),
      ask<ApplicationPoolCounters>('was', 'GetApplicationPoolCounters'),
      ask<SiteList>('w3svc', 'ListSites'),
      ask<NetTcpCounters>('nettcpactivator', 'GetNetTcpCounters'),
    ]);
    const configuration = applicationPools?.configuration ?? null;
    if (!withUsage) return { takenAt: Date.now(), listener, applicationPools, sites, netTcp, configuration, usage: new Map(), unavailable };
    const pids = applicationPools?.workers.map((worker) => worker.pid) ?? [];
    const snapshot: CounterSnapshot = { takenAt: Date.now(), listener, applicationPools, sites, netTcp, configuration, usage: this.usage.read(pids), unavailable };
    this.latest = snapshot;
    return snapshot;
  }
}
