// The windows_exporter `iis` collector's metrics (prometheus-community/windows_exporter,
// internal/collector/iis), with its names, labels, types and quirks, so Grafana's IIS dashboards and
// alerts read poolhost unchanged. Only what poolhost measures is exported; counters IIS keeps for
// features poolhost does not have (CGI, ISAPI, anonymous users, bandwidth throttling, the output and
// metadata caches, threads) are left out rather than reported as zeros (docs/observability.md lists them).
import { applicationPoolStateCodes, webServiceVerbs, type ApplicationPoolWasState, type FileCacheCounters } from '@poolhost/protocol';
import type { CounterSnapshot } from '../counters/counter-snapshot.js';
import type { MetricFamily, Sample } from './metric-family.js';

const prefix = 'windows_iis_';
/** windows_iis_info's version label: the IIS release whose behaviour poolhost follows. */
export const iisVersion = '10.0';

const seconds = (iso: string | null): number => (iso === null ? 0 : Math.floor(Date.parse(iso) / 1000));

function sites(snapshot: CounterSnapshot) {
  return snapshot.listener?.sites ?? [];
}
function queues(snapshot: CounterSnapshot) {
  return snapshot.listener?.requestQueues ?? [];
}
function pools(snapshot: CounterSnapshot) {
  return snapshot.applicationPools?.applicationPools ?? [];
}
function workers(snapshot: CounterSnapshot) {
  return snapshot.applicationPools?.workers ?? [];
}

type SiteSet = ReturnType<typeof sites>[number];
type QueueSet = ReturnType<typeof queues>[number];
type PoolSet = ReturnType<typeof pools>[number];
type WorkerSet = ReturnType<typeof workers>[number];

/** Web Service, label `site`. */
function perSite(name: string, type: 'gauge' | 'counter', help: string, value: (site: SiteSet, snapshot: CounterSnapshot) => number): MetricFamily {
  return { name: prefix + name, type, help, labelNames: ['site'], samples: (snapshot) => sites(snapshot).map((site) => ({ labels: { site: site.siteName }, value: value(site, snapshot) })) };
}

/** HTTP Service Request Queues: the label is `site`, but it holds the queue's (application pool's) name, as in windows_exporter. */
function perQueue(name: string, help: string, value: (queue: QueueSet) => number): MetricFamily {
  return { name: prefix + name, type: 'gauge', help, labelNames: ['site'], samples: (snapshot) => queues(snapshot).map((queue) => ({ labels: { site: queue.applicationPool }, value: value(queue) })) };
}

/** APP_POOL_WAS, label `app`. */
function perPool(name: string, type: 'gauge' | 'counter', help: string, value: (pool: PoolSet, snapshot: CounterSnapshot) => number): MetricFamily {
  return { name: prefix + name, type, help, labelNames: ['app'], samples: (snapshot) => pools(snapshot).map((pool) => ({ labels: { app: pool.applicationPool }, value: value(pool, snapshot) })) };
}

/** W3SVC_W3WP, labels `app` and `pid` (windows_exporter splits the `<pid>_<pool>` instance name). */
function perWorker(name: string, type: 'gauge' | 'counter', help: string, value: (worker: WorkerSet) => number): MetricFamily {
  return {
    name: prefix + name,
    type,
    help,
    labelNames: ['app', 'pid'],
    samples: (snapshot) => workers(snapshot).map((worker) => ({ labels: { app: worker.applicationPool, pid: String(worker.pid) }, value: value(worker) })),
  };
}

/**
 * Web Service Cache's URI cache, label `mode`: only `kernel` (HTTP.SYS' `Kernel: …` counters, from
 * httpsys' response cache); poolhost has no user-mode URI cache, so no `user` series.
 */
function kernelUriCache(name: string, type: 'gauge' | 'counter', help: string, value: (cache: NonNullable<NonNullable<CounterSnapshot['listener']>['responseCache']>) => number): MetricFamily {
  return {
    name: prefix + name,
    type,
    help,
    labelNames: ['mode'],
    samples: (snapshot) => {
      const cache = snapshot.listener?.responseCache;
      return cache ? [{ labels: { mode: 'kernel' }, value: value(cache) }] : [];
    },
  };
}

/** Web Service Cache's user-mode file cache: the workers' file caches summed (each worker keeps its own, as w3wp does). */
function serverFileCache(name: string, type: 'gauge' | 'counter', help: string, value: (cache: FileCacheCounters) => number): MetricFamily {
  return {
    name: prefix + name,
    type,
    help,
    labelNames: [],
    samples: (snapshot) => {
      const all = workers(snapshot);
      return snapshot.applicationPools ? [{ labels: {}, value: all.reduce((sum, worker) => sum + value(worker.fileCache), 0) }] : [];
    },
  };
}

/** The file cache families, per worker (W3SVC_W3WP) and summed (Web Service Cache); types as windows_exporter has them. */
function fileCacheFamilies(): MetricFamily[] {
  const rows: [string, 'gauge' | 'counter', string, string, (cache: FileCacheCounters) => number][] = [
    ['file_cache_memory_bytes', 'gauge', 'Current number of bytes used by user-mode file cache', 'CurrentFileCacheMemoryUsage', (cache) => cache.currentBytes],
    ['file_cache_max_memory_bytes', 'counter', 'Maximum number of bytes used by user-mode file cache', 'MaximumFileCacheMemoryUsage', (cache) => cache.maximumBytes],
    ['file_cache_flushes_total', 'counter', 'Total number of files removed from the user-mode cache', 'FileCacheFlushes', (cache) => cache.flushes],
    ['file_cache_queries_total', 'counter', 'Total file cache queries (hits + misses)', 'FileCacheHits + FileCacheMisses', (cache) => cache.hits + cache.misses],
    ['file_cache_hits_total', 'counter', 'Total number of successful lookups in the user-mode file cache', 'FileCacheHits', (cache) => cache.hits],
    ['file_cache_items', 'gauge', 'Current number of files whose contents are present in user-mode cache', 'CurrentFilesCached', (cache) => cache.currentFiles],
    ['file_cache_items_total', 'counter', 'Total number of files whose contents were ever added to the user-mode cache (since service startup)', 'TotalFilesCached', (cache) => cache.totalFiles],
    ['file_cache_items_flushed_total', 'counter', 'Total number of file handles that have been removed from the user-mode cache (since service startup)', 'TotalFlushedFiles', (cache) => cache.flushedFiles],
  ];
  return [
    ...rows.map(([name, type, help, counter, value]) => perWorker('worker_' + name, type, `${help} (W3SVC_W3WP.${counter})`, (worker) => value(worker.fileCache))),
    ...rows.map(([name, type, help, counter, value]) => serverFileCache('server_' + name, type, `${help} (WebServiceCache.${counter})`, value)),
  ];
}

const errorStatuses = ['401', '403', '404', '500'] as const;
const errorField = { '401': 'errors401', '403': 'errors403', '404': 'errors404', '500': 'errors500' } as const;

export const windowsIisFamilies: readonly MetricFamily[] = [
  {
    name: prefix + 'info',
    type: 'gauge',
    help: 'ISS information',
    labelNames: ['version'],
    samples: () => [{ labels: { version: iisVersion }, value: 1 }],
  },
  // Web Service
  perSite('current_connections', 'gauge', 'Current number of connections established with the Web service (WebService.CurrentConnections)', (site) => site.currentConnections),
  perSite('service_uptime', 'gauge', 'Number of seconds the WebService is up (WebService.ServiceUptime)', (_site, snapshot) =>
    snapshot.listener ? Math.floor((snapshot.takenAt - Date.parse(snapshot.listener.startedAt)) / 1000) : 0,
  ),
  perSite('received_bytes_total', 'counter', 'Number of data bytes that have been received by the Web service (WebService.TotalBytesReceived)', (site) => site.totalBytesReceived),
  perSite('sent_bytes_total', 'counter', 'Number of data bytes that have been sent by the Web service (WebService.TotalBytesSent)', (site) => site.totalBytesSent),
  perSite('connection_attempts_all_instances_total', 'counter', 'Number of connections that have been attempted using the Web service (WebService.TotalConnectionAttemptsAllInstances)', (site) => site.totalConnectionAttempts),
  {
    name: prefix + 'requests_total',
    type: 'counter',
    help: 'Number of HTTP requests (WebService.TotalRequests)',
    labelNames: ['site', 'method'],
    samples: (snapshot) => sites(snapshot).flatMap((site) => webServiceVerbs.map((method) => ({ labels: { site: site.siteName, method }, value: site.requestsByVerb[method] }))),
  },
  perSite('locked_errors_total', 'counter', "Number of requests that couldn't be satisfied by the server because the requested resource was locked (WebService.TotalLockedErrors)", (site) => site.lockedErrors),
  perSite('not_found_errors_total', 'counter', "Number of requests that couldn't be satisfied by the server because the requested document could not be found (WebService.TotalNotFoundErrors)", (site) => site.notFoundErrors),
  // HTTP Service Request Queues (types as windows_exporter has them: all gauges)
  perQueue('http_requests_current_queue_size', 'Http Request Current Queue Size', (queue) => queue.currentQueueSize),
  perQueue('http_request_total_rejected_request', 'Http Request Total Rejected Request', (queue) => queue.rejectedRequests),
  perQueue('http_requests_max_queue_item_age', 'Http Request Max Queue Item Age. The values might be bogus if the queue is empty.', (queue) => queue.maxQueueItemAgeMs),
  perQueue('http_requests_arrival_rate', 'Http Request Arrival Rate', (queue) => queue.arrivals),
  // Web Service Cache, kernel mode (Kernel: URI Cache Hits, Misses, Flushes, Current/Total URIs Cached, Total Flushed URIs)
  kernelUriCache('server_uri_cache_hits_total', 'counter', 'Total number of successful lookups in the URI cache (WebServiceCache.URICacheHitsTotal)', (cache) => cache.uriCacheHits),
  kernelUriCache('server_uri_cache_queries_total', 'counter', 'Total number of lookups in the URI cache (WebServiceCache.URICacheHitsTotal + WebServiceCache.URICacheMissesTotal)', (cache) => cache.uriCacheHits + cache.uriCacheMisses),
  kernelUriCache('server_uri_cache_flushes_total', 'counter', 'Total number of URI cache flushes (WebServiceCache.URICacheFlushes)', (cache) => cache.uriCacheFlushes),
  kernelUriCache('server_uri_cache_items', 'gauge', 'Number of URI information blocks currently in the URI cache (WebServiceCache.CurrentURIsCached)', (cache) => cache.currentUrisCached),
  kernelUriCache('server_uri_cache_items_total', 'counter', 'Total number of URI information blocks added to the URI cache (WebServiceCache.TotalURIsCached)', (cache) => cache.totalUrisCached),
  kernelUriCache('server_uri_cache_items_flushed_total', 'counter', 'Total number of URI information blocks that have been removed from the URI cache (WebServiceCache.TotalFlushedURIs)', (cache) => cache.totalFlushedUris),
  // APP_POOL_WAS
  {
    name: prefix + 'current_application_pool_state',
    type: 'gauge',
    help: 'The current status of the application pool (1 - Uninitialized, 2 - Initialized, 3 - Running, 4 - Disabling, 5 - Disabled, 6 - Shutdown Pending, 7 - Delete Pending) (CurrentApplicationPoolState)',
    labelNames: ['app', 'state'],
    samples: (snapshot) =>
      pools(snapshot).flatMap((pool) =>
        (Object.keys(applicationPoolStateCodes) as ApplicationPoolWasState[]).map((state): Sample => ({ labels: { app: pool.applicationPool, state }, value: pool.state === state ? 1 : 0 })),
      ),
  },
  perPool('current_application_pool_start_time', 'gauge', 'The unix timestamp for the application pool start time (CurrentApplicationPoolUptime)', (pool) => seconds(pool.startedAt)),
  perPool('current_worker_processes', 'gauge', 'The current number of worker processes that are running in the application pool (CurrentWorkerProcesses)', (pool) => pool.currentWorkerProcesses),
  perPool('maximum_worker_processes', 'gauge', 'The maximum number of worker processes that have been created for the application pool since Windows Process Activation Service (WAS) started (MaximumWorkerProcesses)', (pool) => pool.maximumWorkerProcesses),
  perPool('recent_worker_process_failures', 'gauge', 'The number of times that worker processes for the application pool failed during the rapid-fail protection interval (RecentWorkerProcessFailures)', (pool) => pool.recentWorkerProcessFailures),
  perPool('time_since_last_worker_process_failure', 'gauge', 'The length of time, in seconds, since the last worker process failure occurred for the application pool (TimeSinceLastWorkerProcessFailure)', (pool, snapshot) =>
    pool.lastWorkerProcessFailureAt === null ? 0 : Math.floor((snapshot.takenAt - Date.parse(pool.lastWorkerProcessFailureAt)) / 1000),
  ),
  perPool('total_application_pool_recycles', 'counter', 'The number of times that the application pool has been recycled since Windows Process Activation Service (WAS) started (TotalApplicationPoolRecycles)', (pool) => pool.totalApplicationPoolRecycles),
  perPool('total_application_pool_start_time', 'counter', 'The unix timestamp for the application pool of when the Windows Process Activation Service (WAS) started (TotalApplicationPoolUptime)', (_pool, snapshot) =>
    seconds(snapshot.applicationPools?.startedAt ?? null),
  ),
  perPool('total_worker_processes_created', 'counter', 'The number of worker processes created for the application pool since Windows Process Activation Service (WAS) started (TotalWorkerProcessesCreated)', (pool) => pool.totalWorkerProcessesCreated),
  perPool('total_worker_process_failures', 'counter', 'The number of times that worker processes have crashed since the application pool was started (TotalWorkerProcessFailures)', (pool) => pool.totalWorkerProcessFailures),
  perPool('total_worker_process_ping_failures', 'counter', 'The number of times that Windows Process Activation Service (WAS) did not receive a response to ping messages sent to a worker process (TotalWorkerProcessPingFailures)', (pool) => pool.totalWorkerProcessPingFailures),
  perPool('total_worker_process_shutdown_failures', 'counter', 'The number of times that Windows Process Activation Service (WAS) failed to shut down a worker process (TotalWorkerProcessShutdownFailures)', (pool) => pool.totalWorkerProcessShutdownFailures),
  perPool('total_worker_process_startup_failures', 'counter', 'The number of times that Windows Process Activation Service (WAS) failed to start a worker process (TotalWorkerProcessStartupFailures)', (pool) => pool.totalWorkerProcessStartupFailures),
  // W3SVC_W3WP (worker_current_requests and worker_current_websocket_requests are counters in windows_exporter: kept)
  perWorker('worker_current_requests', 'counter', 'Current number of requests being processed by the worker process (W3SVC_W3WP.ActiveRequests)', (worker) => worker.activeRequests),
  perWorker('worker_requests_total', 'counter', 'Total number of HTTP requests served by the worker process (W3SVC_W3WP.TotalHTTPRequestsServed)', (worker) => worker.totalRequestsServed),
  {
    name: prefix + 'worker_request_errors_total',
    type: 'counter',
    help: 'Total number of requests that returned an error (W3SVC_W3WP.% 401/403/404/500 HTTP Response Sent)',
    labelNames: ['app', 'pid', 'status_code'],
    samples: (snapshot) =>
      workers(snapshot).flatMap((worker) =>
        errorStatuses.map((status_code) => ({ labels: { app: worker.applicationPool, pid: String(worker.pid), status_code }, value: worker[errorField[status_code]] })),
      ),
  },
  perWorker('worker_current_websocket_requests', 'counter', 'Current number of WebSocket requests being processed by the worker process (W3SVC_W3WP.WebSocketActiveRequests)', (worker) => worker.websocketActiveRequests),
  perWorker('worker_websocket_connection_attempts_total', 'counter', 'Total number of WebSocket connection attempts (W3SVC_W3WP.WebSocketConnectionAttempts)', (worker) => worker.websocketConnectionAttempts),
  perWorker('worker_websocket_connection_accepted_total', 'counter', 'Total number of WebSocket connections accepted (W3SVC_W3WP.WebSocketConnectionsAccepted)', (worker) => worker.websocketConnectionsAccepted),
  perWorker('worker_websocket_connection_rejected_total', 'counter', 'Total number of WebSocket connections rejected (W3SVC_W3WP.WebSocketConnectionsRejected)', (worker) => worker.websocketConnectionsRejected),
  // W3SVC_W3WP and Web Service Cache: the static file handler's file cache
  ...fileCacheFamilies(),
];
