// The net.tcp data plane's control messages, between w3wp and the net.tcp activator, on the worker's
// persistent connection to `net-tcp-data` (docs/non-http-activation.md). The connections themselves do
// not travel here: the activator hands each TCP socket itself to the worker over the worker's handover
// socket (SCM_RIGHTS), or, without one, connects to the worker's own Unix socket and relays the bytes.

/** w3wp -> activator: this worker takes the pool's net.tcp connections, at `socketPath`. */
export interface AttachNetTcpListenerChannel {
  type: 'AttachNetTcpListenerChannel';
  applicationPool: string;
  pid: number;
  workerId: string;
  socketPath: string;
  /**
   * The worker's handover socket: the activator connects once and passes each client's TCP socket itself
   * over it (SCM_RIGHTS); the worker answers every socket it closes. Absent: bytes are relayed to `socketPath`.
   */
  handoverSocketPath?: string;
}

/** w3wp -> activator: send no new connection (stop, recycle); the open ones stay until they end. */
export interface DetachNetTcpListenerChannel {
  type: 'DetachNetTcpListenerChannel';
}

/** inetmgr -> activator (on `net-tcp.sock`): the activator's counters, for /metrics. */
export interface GetNetTcpCounters {
  type: 'GetNetTcpCounters';
}

/**
 * Why the activator refused a connection: `QueueFull` (closed at once, the pool's queue held queueLength),
 * `AppOffline` (reset: the pool is stopped), `RapidFailProtection` (reset: rapid-fail protection disabled
 * the pool), `AppShutdown` (reset: the pool left the configuration while connections waited).
 */
export type NetTcpRefusalReason = 'QueueFull' | 'AppOffline' | 'RapidFailProtection' | 'AppShutdown';

/** One pool's net.tcp connection queue. */
export interface NetTcpQueueCounterSet {
  applicationPool: string;
  enabled: boolean;
  /** Connections accepted on the pool's bindings since the activator started (refused ones included). */
  totalConnections: number;
  /** Open now: waiting in the queue, or given to a worker and not closed yet. */
  currentConnections: number;
  /** Waiting in the queue for a worker. */
  queuedConnections: number;
  refusedByReason: Partial<Record<NetTcpRefusalReason, number>>;
  attachedWorkers: number;
}

/** One site's net.tcp connections (a site has at most one net.tcp application, so one pool). */
export interface NetTcpSiteCounterSet {
  siteId: number;
  siteName: string;
  applicationPool: string;
  totalConnections: number;
  currentConnections: number;
}

export interface NetTcpCounters {
  type: 'NetTcpCounters';
  queues: NetTcpQueueCounterSet[];
  sites: NetTcpSiteCounterSet[];
}

export type NetTcpMessage = AttachNetTcpListenerChannel | DetachNetTcpListenerChannel | GetNetTcpCounters | NetTcpCounters;

export interface NetTcpReplies {
  AttachNetTcpListenerChannel: import('./management.js').Acknowledged;
  DetachNetTcpListenerChannel: import('./management.js').Acknowledged;
  GetNetTcpCounters: NetTcpCounters;
}
