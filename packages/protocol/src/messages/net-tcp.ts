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

export type NetTcpMessage = AttachNetTcpListenerChannel | DetachNetTcpListenerChannel;

export interface NetTcpReplies {
  AttachNetTcpListenerChannel: import('./management.js').Acknowledged;
  DetachNetTcpListenerChannel: import('./management.js').Acknowledged;
}
