// Server-Sent Events at /api/poolhost/stream: once a second while anyone listens, the pools, queues,
// workers and current requests (`event: state`), and each new event-journal entry (`event: journal`).
// Nothing is collected while nobody listens.
import type { ServerResponse } from 'node:http';
import type { EventJournal, JournalEvent, RequestList } from '@poolhost/protocol';
import type { CounterCollector, CounterSnapshot } from '../counters/counter-snapshot.js';
import type { ServiceQuery } from '../runtime/service-query.js';
import { requestResources } from './resources.js';

const intervalMs = 1_000;

export class ChangeStream {
  private readonly listeners = new Set<ServerResponse>();
  private timer: NodeJS.Timeout | null = null;
  private lastEvent: string | null = null;

  constructor(private readonly query: ServiceQuery, private readonly collector: CounterCollector) {}

  subscribe(response: ServerResponse): void {
    response.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    response.write('retry: 2000\n\n');
    this.listeners.add(response);
    response.on('close', () => {
      this.listeners.delete(response);
      if (this.listeners.size === 0) this.pause();
    });
    this.lastEvent = null; // a new listener gets the recent journal
    if (!this.timer) {
      this.timer = setInterval(() => void this.tick(), intervalMs);
      void this.tick();
    }
  }

  close(): void {
    this.pause();
    for (const response of this.listeners) response.end();
    this.listeners.clear();
  }

  private pause(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async tick(): Promise<void> {
    const [snapshot, requests, journal] = await Promise.all([
      this.collector.collect(),
      this.query.ask('was', { type: 'ListRequests' }).catch(() => null),
      this.query.ask('was', { type: 'GetEventJournal', limit: 100 }).catch(() => null),
    ]);
    this.send('state', stateOf(snapshot, requests));
    if (journal) for (const event of this.newEvents(journal.events)) this.send('journal', event);
  }

  private newEvents(events: JournalEvent[]): JournalEvent[] {
    const key = (event: JournalEvent) => `${event.time}|${event.eventId}|${event.pid ?? ''}|${event.message}`;
    const seen = this.lastEvent === null ? -1 : events.findIndex((event) => key(event) === this.lastEvent);
    const fresh = seen === -1 && this.lastEvent !== null ? events : events.slice(seen + 1);
    if (events.length > 0) this.lastEvent = key(events.at(-1)!);
    return fresh;
  }

  private send(event: string, data: unknown): void {
    const frame = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const response of this.listeners) response.write(frame);
  }
}

/** What the dashboard draws each second. */
function stateOf(snapshot: CounterSnapshot, requests: RequestList | null) {
  const queues = new Map((snapshot.listener?.requestQueues ?? []).map((queue) => [queue.applicationPool, queue]));
  const urlGroups = new Map((snapshot.listener?.urlGroups ?? []).map((group) => [group.siteId, group]));
  const webService = new Map((snapshot.listener?.sites ?? []).map((site) => [site.siteId, site]));
  return {
    time: snapshot.takenAt,
    unavailable: snapshot.unavailable,
    applicationPools: (snapshot.applicationPools?.applicationPools ?? []).map((pool) => {
      const queue = queues.get(pool.applicationPool);
      return {
        name: pool.applicationPool,
        state: pool.state,
        workers: pool.currentWorkerProcesses,
        queueSize: queue?.currentQueueSize ?? 0,
        arrivals: queue?.arrivals ?? 0,
        rejected: queue?.rejectedRequests ?? 0,
        recycles: pool.totalApplicationPoolRecycles,
        failures: pool.totalWorkerProcessFailures,
      };
    }),
    workers: (snapshot.applicationPools?.workers ?? []).map((worker) => ({
      pid: worker.pid,
      applicationPool: worker.applicationPool,
      state: worker.state,
      startedAt: worker.startedAt,
      requestsServed: worker.totalRequestsServed,
      activeRequests: worker.activeRequests,
      cpuPercent: snapshot.usage.get(worker.pid)?.cpuPercent ?? null,
      memoryBytes: snapshot.usage.get(worker.pid)?.memoryBytes ?? null,
    })),
    sites: (snapshot.sites?.sites ?? []).map((site) => ({
      id: site.id,
      name: site.name,
      state: site.state,
      urlGroup: urlGroups.get(site.id) ?? null,
      notFoundErrors: webService.get(site.id)?.notFoundErrors ?? null,
    })),
    requests: requests ? requestResources(requests) : [],
  };
}
