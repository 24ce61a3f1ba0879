// Host drain ("Disallow New Connections" for the whole host, reference iis-2.md §7 and peers-2.md §4.2):
// `poolhost drain` asks poolhost, which asks httpsys, the owner of every listening socket and client
// connection. The health answers (inetmgr) read the drain state from httpsys' counters, so a balancer
// hears `drain`/404 from the moment the drain begins.

/**
 * httpsys' side of a drain. `Serving`: normal. `Draining`: the balancers are told; after the delay the
 * listening sockets close and the connections finish. `Drained`: no listening socket, and no client
 * connection left (or the deadline cut the last ones).
 */
export type ListenerDrainState = 'Serving' | 'Draining' | 'Drained';

/** poolhost CLI -> poolhost, request: drain the host. Answered with ListenerDrained once it is drained. */
export interface DrainServer {
  type: 'DrainServer';
  /** How long the balancers get to notice before new connections are refused; absent: webManagement drainDelay. */
  delayMs?: number;
  /** How long in-flight requests get once the listeners closed; absent: webManagement drainTimeLimit. */
  timeLimitMs?: number;
  /** Stop poolhost once drained (`--stop`). */
  stop: boolean;
}

/** poolhost CLI -> poolhost, request: listen again and answer ready. Answered with Acknowledged. */
export interface UndrainServer {
  type: 'UndrainServer';
}

/** poolhost -> httpsys, request: drain every endpoint. Answered with ListenerDrained. */
export interface DrainListener {
  type: 'DrainListener';
  delayMs: number;
  timeLimitMs: number;
}

/** poolhost -> httpsys, request: listen on the bindings again. Answered with Acknowledged. */
export interface ResumeListener {
  type: 'ResumeListener';
}

/** Reply to DrainListener (and DrainServer): how the drain ended. */
export interface ListenerDrained {
  type: 'ListenerDrained';
  /** `Drained`; `Serving` when an undrain came first. */
  state: ListenerDrainState;
  /** From the drain's start. */
  elapsedMs: number;
  /** Client connections open when the listeners closed (HTTP/1.x, HTTP/2, TLS handshakes). */
  connectionsAtClose: number;
  /** Connections still open at the deadline, closed without their responses. */
  connectionsCut: number;
  /** poolhost stops now (`--stop`). */
  stopping?: boolean;
}

/**
 * poolhost -> was, request: write a step of a drain to the event log (was keeps it, with poolhost's own
 * event ids 5304–5307, docs/web-farm.md). Answered with Acknowledged.
 */
export interface RecordHostDrain {
  type: 'RecordHostDrain';
  step: 'Draining' | 'Drained' | 'Undrained';
  /** Draining: the delay and time limit in force. */
  delayMs?: number;
  timeLimitMs?: number;
  /** Drained: how it ended (ListenerDrained's). */
  elapsedMs?: number;
  connectionsAtClose?: number;
  connectionsCut?: number;
}

export type HostDrainMessage = DrainServer | UndrainServer | DrainListener | ResumeListener | ListenerDrained | RecordHostDrain;

export interface HostDrainReplies {
  DrainServer: ListenerDrained;
  UndrainServer: import('./management.js').Acknowledged;
  DrainListener: ListenerDrained;
  ResumeListener: import('./management.js').Acknowledged;
  RecordHostDrain: import('./management.js').Acknowledged;
}
