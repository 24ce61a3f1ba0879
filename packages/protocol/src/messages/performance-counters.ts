// Performance counters: each service keeps IIS's counter sets as plain integers and hands a copy to
// whoever asks (the inetmgr role, for /metrics, the status API and the dashboard). Names follow the
// perfmon objects they stand for: HTTP Service Request Queues and Web Service (httpsys), APP_POOL_WAS
// (was), W3SVC_W3WP (w3wp, relayed by was).

/** Upper bounds (ms) of the queue-wait histogram buckets; the last bucket is +Inf. */
export const queueWaitBucketsMs = [1, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000] as const;

/** HTTP Service Request Queues, one instance per queue (named after its application pool). */
export interface RequestQueueCounterSet {
  applicationPool: string;
  enabled: boolean;
  /** CurrentQueueSize: requests waiting for a worker. */
  currentQueueSize: number;
  /** MaxQueueItemAge, ms: how long the oldest waiting request has waited (0 when none waits). */
  maxQueueItemAgeMs: number;
  /** ArrivalRate as IIS stores it: the raw cumulative count of arrivals (accepted and rejected). */
  arrivals: number;
  /** RejectedRequests: turned away with a 503 (or a reset for TcpLevel) since httpsys started. */
  rejectedRequests: number;
  /** The same rejections by HTTPERR reason: QueueFull, AppOffline, Disabled, AppShutdown. */
  rejectedByReason: Record<string, number>;
  /** Requests put back at the front after their worker died before answering. */
  retried: number;
  /** Requests for this queue's URLs answered from the kernel response cache (CacheHitRate, raw cumulative). */
  cacheHits?: number;
  /** Waiting requests dropped because they outlived the site's connectionTimeout (Timer_AppPool). */
  expired: number;
  /** Attached workers that take requests, and requests on them now. */
  attachedWorkers: number;
  requestsInFlight: number;
  /** Requests the attached workers take at once (the sum of the capacities they declared at ATTACH). */
  workerCapacity: number;
  /** The pool's queueLength and maxProcesses (web garden size), for capacity answers (farm health). */
  queueLength: number;
  maxProcesses: number;
  /** Time from arrival to dispatch: counts per `queueWaitBucketsMs` bucket (not cumulative; last is +Inf), and their sum. */
  queueWaitBuckets: number[];
  queueWaitSumMs: number;
}

/** The verbs Web Service counts one by one (`Total <Verb> Requests`); every other verb is `other`. */
export const webServiceVerbs = [
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'OPTIONS',
  'TRACE',
  'COPY',
  'MOVE',
  'MKCOL',
  'PROPFIND',
  'PROPPATCH',
  'SEARCH',
  'LOCK',
  'UNLOCK',
  'other',
] as const;
export type WebServiceVerb = (typeof webServiceVerbs)[number];

/** Web Service, one instance per site; counted where every request of the site passes (httpsys). */
export interface WebServiceCounterSet {
  siteId: number;
  siteName: string;
  currentConnections: number;
  maximumConnections: number;
  totalConnectionAttempts: number;
  totalBytesSent: number;
  totalBytesReceived: number;
  /** Total <Verb> Requests, by `webServiceVerbs`. */
  requestsByVerb: Record<WebServiceVerb, number>;
  /** Total Not Found Errors (404) and Total Locked Errors (423) sent to the site's clients. */
  notFoundErrors: number;
  lockedErrors: number;
  /** Requests httpsys answered itself (400/404/503). */
  listenerErrors: number;
}

/**
 * HTTP Service Url Groups, one instance per URL group; poolhost keeps one URL group per site (its
 * bindings and applications). HTTP.SYS counts these in the listener, where httpsys counts the Web Service
 * set, so they are read from the same integers (nothing is counted twice). The `…Rate` counters are raw
 * cumulative counts, as perfmon stores them.
 */
export interface UrlGroupCounterSet {
  siteId: number;
  siteName: string;
  /** BytesSentRate, BytesReceivedRate, BytesTransferredRate (sent + received). */
  bytesSent: number;
  bytesReceived: number;
  bytesTransferred: number;
  /** CurrentConnections, MaxConnections (the peak since httpsys started). */
  currentConnections: number;
  maxConnections: number;
  /** ConnectionAttempts: connections whose first request was routed to this URL group. */
  connectionAttempts: number;
  /** GetRequests, HeadRequests, AllRequests. */
  getRequests: number;
  headRequests: number;
  allRequests: number;
}

/** A listener-wide count of HTTPERR lines by reason (QueueFull, Timer_ConnectionIdle, Connection_Dropped, …). */
export type HttpErrCounts = Record<string, number>;

/** How a completed TLS handshake went: a full one, or a session resumed (ticket or session id). */
export const tlsHandshakeOutcomes = ['full', 'resumed'] as const;
export type TlsHandshakeOutcome = (typeof tlsHandshakeOutcomes)[number];
/** The versions httpsys negotiates (TLS 1.2 is its floor). */
export const tlsProtocolVersions = ['TLSv1.2', 'TLSv1.3'] as const;
export type TlsProtocolVersion = (typeof tlsProtocolVersions)[number];
/** The ALPN protocol chosen (RFC 7301); `none` when the client offered none. */
export const tlsAlpnProtocols = ['h2', 'http/1.1', 'none'] as const;
export type TlsAlpnProtocol = (typeof tlsAlpnProtocols)[number];

/** Completed handshakes of one outcome, version and ALPN protocol. */
export interface TlsHandshakeCount {
  outcome: TlsHandshakeOutcome;
  version: TlsProtocolVersion;
  alpn: TlsAlpnProtocol;
  count: number;
}

/** any -> httpsys, request; answered with ListenerCounters. */
export interface GetListenerCounters {
  type: 'GetListenerCounters';
}

export interface ListenerCounters {
  type: 'ListenerCounters';
  /** When httpsys started (ISO), for Service Uptime. */
  startedAt: string;
  requestQueues: RequestQueueCounterSet[];
  sites: WebServiceCounterSet[];
  /** HTTP Service Url Groups, one per site, in the order of `sites`. */
  urlGroups: UrlGroupCounterSet[];
  httpErr: HttpErrCounts;
  /** TLS connections accepted on https endpoints whose handshake has not completed yet. */
  tlsHandshakesInProgress: number;
  /** Handshakes that failed, by reason (`NoCertificate`, `NotTls`, `Timer_HeaderWait` …). */
  tlsHandshakeFailures: Record<string, number>;
  /** Handshakes that completed, by outcome, version and ALPN protocol: every combination, zeros included. */
  tlsHandshakes: TlsHandshakeCount[];
  /** The kernel response cache (optional: an older httpsys has none). */
  responseCache?: import('./response-cache.js').ResponseCacheCounters;
  /** `poolhost drain`: the health answers say drain/404 while this is not Serving (absent: an older httpsys, serving). */
  drain?: import('./host-drain.js').ListenerDrainState;
}

/** APP_POOL_WAS's Current Application Pool State values. */
export const applicationPoolStateCodes = {
  Uninitialized: 1,
  Initialized: 2,
  Running: 3,
  Disabling: 4,
  Disabled: 5,
  'Shutdown Pending': 6,
  'Delete Pending': 7,
} as const;
export type ApplicationPoolWasState = keyof typeof applicationPoolStateCodes;

/** APP_POOL_WAS, one instance per application pool. */
export interface ApplicationPoolCounterSet {
  applicationPool: string;
  /** Current Application Pool State in IIS's words (Running, Disabled, …). */
  state: ApplicationPoolWasState;
  /** When the pool last started (ISO), or null while it is stopped. */
  startedAt: string | null;
  currentWorkerProcesses: number;
  /** Peak of current worker processes since was started. */
  maximumWorkerProcesses: number;
  /** Failures inside the rapid-fail window. */
  recentWorkerProcessFailures: number;
  /** When the last worker failure happened (ISO), or null if none has. */
  lastWorkerProcessFailureAt: string | null;
  totalApplicationPoolRecycles: number;
  totalWorkerProcessesCreated: number;
  /** Crashes (5009). */
  totalWorkerProcessFailures: number;
  /** Ping timeouts (5010). */
  totalWorkerProcessPingFailures: number;
  /** Workers killed at shutdownTimeLimit (5013). */
  totalWorkerProcessShutdownFailures: number;
  /** Startup failures, startup time limits and spawn failures (5012 …). */
  totalWorkerProcessStartupFailures: number;
  /** Recycles by trigger (Time, Requests, Schedule, Memory, PrivateMemory, OnDemand, ConfigChange, …). */
  recyclesByReason: Record<string, number>;
  /** Worker exits by kind (crash, pingTimeout, recycle, idleTimeout, adminStop, …). */
  workerExitsByReason: Record<string, number>;
}

/** What a worker counts itself (W3SVC_W3WP), returned with each WorkerHealth. */
export interface WorkerRequestCounters {
  /** `% 401 HTTP Response Sent` and friends, as the raw counts windows_exporter reads. */
  errors401: number;
  errors403: number;
  errors404: number;
  errors500: number;
  websocketActiveRequests: number;
  websocketConnectionAttempts: number;
  websocketConnectionsAccepted: number;
  websocketConnectionsRejected: number;
  /**
   * The worker's event loop: p99 and max delay (ms) since the previous reading (Node's monitorEventLoopDelay).
   * null: not sampled since then — the worker's first second (sampling starts after it is ready), or a
   * worker not asked yet. Exported as no sample, never as a delay of 0.
   */
  eventLoopDelayP99Ms: number | null;
  eventLoopDelayMaxMs: number | null;
  /** V8 heap in use, bytes; null: the worker has not been asked yet. */
  heapUsedBytes: number | null;
  /** The static file handler's user-mode file cache (File Cache Hits, Misses, Flushes, …). */
  fileCache: FileCacheCounters;
}

/**
 * A user-mode file cache's counters, as W3SVC_W3WP keeps them per worker and Web Service Cache sums
 * them: File Cache Hits and Misses; File Cache Flushes (each time entries were dropped, for a changed
 * file or to make room); Current and Total Files Cached; Total Flushed Files (entries dropped); Current
 * and Maximum File Cache Memory Usage (bytes).
 */
export interface FileCacheCounters {
  hits: number;
  misses: number;
  flushes: number;
  currentFiles: number;
  totalFiles: number;
  flushedFiles: number;
  currentBytes: number;
  maximumBytes: number;
}

export function createFileCacheCounters(): FileCacheCounters {
  return { hits: 0, misses: 0, flushes: 0, currentFiles: 0, totalFiles: 0, flushedFiles: 0, currentBytes: 0, maximumBytes: 0 };
}

/** A worker's counters before it has counted anything (and what was reports for a worker not yet asked). */
export function createWorkerRequestCounters(): WorkerRequestCounters {
  return {
    errors401: 0,
    errors403: 0,
    errors404: 0,
    errors500: 0,
    websocketActiveRequests: 0,
    websocketConnectionAttempts: 0,
    websocketConnectionsAccepted: 0,
    websocketConnectionsRejected: 0,
    eventLoopDelayP99Ms: null,
    eventLoopDelayMaxMs: null,
    heapUsedBytes: null,
    fileCache: createFileCacheCounters(),
  };
}

/** W3SVC_W3WP, one instance per worker (`<pid>_<pool>`). */
export interface WorkerProcessCounterSet extends WorkerRequestCounters {
  pid: number;
  applicationPool: string;
  state: string;
  startedAt: string;
  activeRequests: number;
  totalRequestsServed: number;
}

/** any -> was, request; answered with ApplicationPoolCounters (worker counters refreshed by a ping). */
export interface GetApplicationPoolCounters {
  type: 'GetApplicationPoolCounters';
}

export interface ApplicationPoolCounters {
  type: 'ApplicationPoolCounters';
  /** When was started (ISO): Total Application Pool Uptime counts from here. */
  startedAt: string;
  applicationPools: ApplicationPoolCounterSet[];
  workers: WorkerProcessCounterSet[];
  /** `<applicationPools spareWorkers>`: how many are configured, booted and waiting, and taken by a worker start since was started. */
  spareWorkers?: SpareWorkerCounters;
  /** The configuration generation was runs (as GetConfigurationFile tells it), so a scrape asks was once. */
  configuration?: import('./management.js').ConfigurationState;
}

export interface SpareWorkerCounters {
  configured: number;
  waiting: number;
  totalAssigned: number;
}

/** Each counter request and its reply (for the catalogue's Replies map). */
export interface PerformanceCounterReplies {
  GetListenerCounters: ListenerCounters;
  GetApplicationPoolCounters: ApplicationPoolCounters;
}

export type PerformanceCounterMessage = GetListenerCounters | ListenerCounters | GetApplicationPoolCounters | ApplicationPoolCounters;
