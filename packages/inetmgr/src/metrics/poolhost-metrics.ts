// What no IIS counter set has and poolhost can tell: how long requests waited in each queue, why they
// were turned away, why pools recycled and workers ended, and each worker's load (/proc/<pid>/stat, and its
// own event-loop delay and heap).
import { queueWaitBucketsMs, type NetTcpRefusalReason } from '@poolhost/protocol';
import type { CounterSnapshot } from '../counters/counter-snapshot.js';
import { histogramSamples, type MetricFamily, type Sample } from './metric-family.js';

/** Every reason is exported, zero included, so that rate() sees the first refusal of each. */
const netTcpRefusalReasons: readonly NetTcpRefusalReason[] = ['QueueFull', 'AppOffline', 'RapidFailProtection', 'AppShutdown'];

const queueWaitBucketsSeconds = queueWaitBucketsMs.map((ms) => ms / 1000);

function byReason(label: string, entries: Array<{ app: string; counts: Record<string, number> }>): Sample[] {
  return entries.flatMap(({ app, counts }) => Object.entries(counts).map(([reason, value]) => ({ labels: { [label]: app, reason }, value })));
}

type WorkerSet = NonNullable<CounterSnapshot['applicationPools']>['workers'][number];

/** One sample per worker that has a value: a worker not measured yet (undefined or null) has no sample, not a 0. */
const workerSamples = (snapshot: CounterSnapshot, value: (worker: WorkerSet) => number | null | undefined): Sample[] =>
  (snapshot.applicationPools?.workers ?? []).flatMap((worker) => {
    const sample = value(worker);
    return sample === undefined || sample === null ? [] : [{ labels: { app: worker.applicationPool, pid: String(worker.pid) }, value: sample }];
  });
const secondsFromMs = (ms: number | null): number | null => (ms === null ? null : ms / 1000);

export const poolhostFamilies: readonly MetricFamily[] = [
  {
    name: 'poolhost_configuration_info',
    type: 'gauge',
    help: 'The applicationHost.config generation this host runs (12 hex digits of its SHA-256) and where it came from: local, shared (redirection.config) or cached (the shared file is unusable)',
    labelNames: ['generation', 'source'],
    samples: (snapshot) => (snapshot.configuration ? [{ labels: { generation: snapshot.configuration.generation, source: snapshot.configuration.source }, value: 1 }] : []),
  },
  {
    name: 'poolhost_request_queue_wait_seconds',
    type: 'histogram',
    help: 'Time requests waited in their application pool queue before a worker took them',
    labelNames: ['app'],
    samples: (snapshot) =>
      (snapshot.listener?.requestQueues ?? []).flatMap((queue) =>
        histogramSamples('poolhost_request_queue_wait_seconds', { app: queue.applicationPool }, queueWaitBucketsSeconds, queue.queueWaitBuckets, queue.queueWaitSumMs / 1000),
      ),
  },
  {
    name: 'poolhost_request_queue_rejections_total',
    type: 'counter',
    help: 'Requests turned away by a request queue, by HTTPERR reason (QueueFull, AppOffline, ...)',
    labelNames: ['app', 'reason'],
    samples: (snapshot) => byReason('app', (snapshot.listener?.requestQueues ?? []).map((queue) => ({ app: queue.applicationPool, counts: queue.rejectedByReason }))),
  },
  {
    name: 'poolhost_request_queue_retried_total',
    type: 'counter',
    help: 'Requests put back in their queue because the worker they were on died before answering',
    labelNames: ['app'],
    samples: (snapshot) => (snapshot.listener?.requestQueues ?? []).map((queue) => ({ labels: { app: queue.applicationPool }, value: queue.retried })),
  },
  {
    name: 'poolhost_request_queue_cache_hits_total',
    type: 'counter',
    help: "Requests for a queue's URLs answered from httpsys' kernel response cache (HTTP Service Request Queues CacheHitRate, raw)",
    labelNames: ['app'],
    samples: (snapshot) => (snapshot.listener?.requestQueues ?? []).map((queue) => ({ labels: { app: queue.applicationPool }, value: queue.cacheHits ?? 0 })),
  },
  {
    name: 'poolhost_kernel_cache_memory_bytes',
    type: 'gauge',
    help: "Bytes held by httpsys' kernel response cache (heads, bodies, keys), bounded by caching@maxCacheSize",
    labelNames: [],
    samples: (snapshot) => (snapshot.listener?.responseCache ? [{ labels: {}, value: snapshot.listener.responseCache.currentMemoryUsage }] : []),
  },
  {
    name: 'poolhost_kernel_cache_refusals_total',
    type: 'counter',
    help: "Responses a worker offered to httpsys' kernel response cache that httpsys did not store, by reason (NO_CACHE_INVALIDATOR, FILE_CHANGED, RESPONSE_MORE_DATA, WORKER_DETACHED, ...)",
    labelNames: ['reason'],
    samples: (snapshot) => Object.entries(snapshot.listener?.responseCache?.storeRefusals ?? {}).map(([reason, value]) => ({ labels: { reason }, value: value ?? 0 })),
  },
  {
    name: 'poolhost_request_queue_expired_total',
    type: 'counter',
    help: "Requests dropped because they waited longer than their site's connectionTimeout (Timer_AppPool)",
    labelNames: ['app'],
    samples: (snapshot) => (snapshot.listener?.requestQueues ?? []).map((queue) => ({ labels: { app: queue.applicationPool }, value: queue.expired })),
  },
  {
    name: 'poolhost_application_pool_recycles_total',
    type: 'counter',
    help: 'Application pool recycles by trigger (Time, Requests, Schedule, Memory, PrivateMemory, OnDemand, ConfigChange)',
    labelNames: ['app', 'reason'],
    samples: (snapshot) => byReason('app', (snapshot.applicationPools?.applicationPools ?? []).map((pool) => ({ app: pool.applicationPool, counts: pool.recyclesByReason }))),
  },
  {
    name: 'poolhost_worker_process_exits_total',
    type: 'counter',
    help: 'Worker processes that ended, by reason (crash, pingTimeout, recycle, idleTimeout, adminStop, ...)',
    labelNames: ['app', 'reason'],
    samples: (snapshot) => byReason('app', (snapshot.applicationPools?.applicationPools ?? []).map((pool) => ({ app: pool.applicationPool, counts: pool.workerExitsByReason }))),
  },
  {
    name: 'poolhost_worker_requests_in_flight',
    type: 'gauge',
    help: 'Requests a worker process is working on now',
    labelNames: ['app', 'pid'],
    samples: (snapshot) => (snapshot.applicationPools?.workers ?? []).map((worker) => ({ labels: { app: worker.applicationPool, pid: String(worker.pid) }, value: worker.activeRequests })),
  },
  {
    name: 'poolhost_worker_cpu_percent',
    type: 'gauge',
    help: 'CPU used by a worker process since the previous reading, percent of one core',
    labelNames: ['app', 'pid'],
    samples: (snapshot) => workerSamples(snapshot, (worker) => snapshot.usage.get(worker.pid)?.cpuPercent),
  },
  {
    name: 'poolhost_worker_memory_bytes',
    type: 'gauge',
    help: 'Resident memory of a worker process, bytes',
    labelNames: ['app', 'pid'],
    samples: (snapshot) => workerSamples(snapshot, (worker) => snapshot.usage.get(worker.pid)?.memoryBytes),
  },
  {
    name: 'poolhost_worker_event_loop_delay_p99_seconds',
    type: 'gauge',
    help: "99th percentile of a worker process's event-loop delay since the previous reading (by was's ping or a scrape)",
    labelNames: ['app', 'pid'],
    samples: (snapshot) => workerSamples(snapshot, (worker) => secondsFromMs(worker.eventLoopDelayP99Ms)),
  },
  {
    name: 'poolhost_worker_event_loop_delay_max_seconds',
    type: 'gauge',
    help: 'Longest event-loop delay of a worker process since the previous reading',
    labelNames: ['app', 'pid'],
    samples: (snapshot) => workerSamples(snapshot, (worker) => secondsFromMs(worker.eventLoopDelayMaxMs)),
  },
  {
    name: 'poolhost_worker_heap_used_bytes',
    type: 'gauge',
    help: 'V8 heap in use in a worker process, bytes',
    labelNames: ['app', 'pid'],
    samples: (snapshot) => workerSamples(snapshot, (worker) => worker.heapUsedBytes),
  },
  {
    name: 'poolhost_httperr_total',
    type: 'counter',
    help: 'HTTPERR log lines written by httpsys, by reason phrase',
    labelNames: ['reason'],
    samples: (snapshot) => Object.entries(snapshot.listener?.httpErr ?? {}).map(([reason, value]) => ({ labels: { reason }, value })),
  },
  {
    name: 'poolhost_spare_workers',
    type: 'gauge',
    help: 'Spare worker processes (<applicationPools spareWorkers>): configured, and booted and waiting for a pool',
    labelNames: ['state'],
    samples: (snapshot) => {
      const spares = snapshot.applicationPools?.spareWorkers;
      return spares ? [{ labels: { state: 'configured' }, value: spares.configured }, { labels: { state: 'waiting' }, value: spares.waiting }] : [];
    },
  },
  {
    name: 'poolhost_spare_workers_assigned_total',
    type: 'counter',
    help: 'Spare worker processes taken by a worker start of some application pool',
    labelNames: [],
    samples: (snapshot) => {
      const spares = snapshot.applicationPools?.spareWorkers;
      return spares ? [{ labels: {}, value: spares.totalAssigned }] : [];
    },
  },
  {
    name: 'poolhost_tls_handshakes_in_progress',
    type: 'gauge',
    help: 'Connections accepted on https bindings whose TLS handshake has not completed yet',
    labelNames: [],
    samples: (snapshot) => (snapshot.listener ? [{ labels: {}, value: snapshot.listener.tlsHandshakesInProgress }] : []),
  },
  {
    name: 'poolhost_tls_handshakes_total',
    type: 'counter',
    help: 'TLS handshakes on https bindings that completed, by outcome (full, resumed), negotiated version and ALPN protocol (none: the client offered none)',
    labelNames: ['outcome', 'version', 'alpn'],
    samples: (snapshot) => (snapshot.listener?.tlsHandshakes ?? []).map(({ outcome, version, alpn, count }) => ({ labels: { outcome, version, alpn }, value: count })),
  },
  {
    name: 'poolhost_tls_handshake_failures_total',
    type: 'counter',
    help: 'TLS handshakes on https bindings that failed, by reason (NoCertificate, HttpRequest, NotTls, Timer_HeaderWait, ...); no HTTPERR line is written for them',
    labelNames: ['reason'],
    samples: (snapshot) => Object.entries(snapshot.listener?.tlsHandshakeFailures ?? {}).map(([reason, value]) => ({ labels: { reason }, value })),
  },
  {
    name: 'poolhost_net_tcp_current_connections',
    type: 'gauge',
    help: 'net.tcp connections open now for a site (waiting in its pool queue or held by a worker), with the pool of its net.tcp application',
    labelNames: ['site', 'app'],
    samples: (snapshot) => (snapshot.netTcp?.sites ?? []).map((site) => ({ labels: { site: site.siteName, app: site.applicationPool }, value: site.currentConnections })),
  },
  {
    name: 'poolhost_net_tcp_connections_total',
    type: 'counter',
    help: 'net.tcp connections accepted on a site\'s bindings since the activator started, refused ones included',
    labelNames: ['site', 'app'],
    samples: (snapshot) => (snapshot.netTcp?.sites ?? []).map((site) => ({ labels: { site: site.siteName, app: site.applicationPool }, value: site.totalConnections })),
  },
  {
    name: 'poolhost_net_tcp_pool_current_connections',
    type: 'gauge',
    help: "net.tcp connections open now for an application pool: waiting in its connection queue or held by its workers",
    labelNames: ['app'],
    samples: (snapshot) => (snapshot.netTcp?.queues ?? []).map((queue) => ({ labels: { app: queue.applicationPool }, value: queue.currentConnections })),
  },
  {
    name: 'poolhost_net_tcp_queued_connections',
    type: 'gauge',
    help: "net.tcp connections waiting in an application pool's connection queue for a worker",
    labelNames: ['app'],
    samples: (snapshot) => (snapshot.netTcp?.queues ?? []).map((queue) => ({ labels: { app: queue.applicationPool }, value: queue.queuedConnections })),
  },
  {
    name: 'poolhost_net_tcp_pool_connections_total',
    type: 'counter',
    help: "net.tcp connections accepted for an application pool since the activator started, refused ones included",
    labelNames: ['app'],
    samples: (snapshot) => (snapshot.netTcp?.queues ?? []).map((queue) => ({ labels: { app: queue.applicationPool }, value: queue.totalConnections })),
  },
  {
    name: 'poolhost_net_tcp_connections_refused_total',
    type: 'counter',
    help: 'net.tcp connections refused by an application pool queue, by reason: QueueFull (closed), AppOffline (pool stopped), RapidFailProtection, AppShutdown (reset)',
    labelNames: ['app', 'reason'],
    samples: (snapshot) =>
      (snapshot.netTcp?.queues ?? []).flatMap((queue) =>
        netTcpRefusalReasons.map((reason) => ({ labels: { app: queue.applicationPool, reason }, value: queue.refusedByReason[reason] ?? 0 })),
      ),
  },
  {
    name: 'poolhost_service_up',
    type: 'gauge',
    help: 'Whether a poolhost service answered the last counter query (1) or not (0)',
    labelNames: ['service'],
    samples: (snapshot) => (['httpsys', 'w3svc', 'was'] as const).map((service) => ({ labels: { service }, value: snapshot.unavailable.includes(service) ? 0 : 1 })),
  },
];
