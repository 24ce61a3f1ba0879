// The net.tcp data plane's control messages, between w3wp and the net.tcp activator, on the worker's
// persistent connection to `net-tcp-data` (docs/non-http-activation.md). The connections themselves do
// not travel here: the activator connects to the worker's own Unix socket once per TCP connection.

/** w3wp -> activator: this worker takes the pool's net.tcp connections, at `socketPath`. */
export interface AttachNetTcpListenerChannel {
  type: 'AttachNetTcpListenerChannel';
  applicationPool: string;
  pid: number;
  workerId: string;
  socketPath: string;
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
