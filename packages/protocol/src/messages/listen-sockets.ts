// Listen sockets: httpsys asks poolhost (the Service Control Manager role) for the listening socket of
// each endpoint, so the socket outlives httpsys. When httpsys dies the port stays open and connections
// wait in the kernel's backlog until the restarted httpsys takes the same socket again (docs/listener.md).
// These travel on the Node IPC channel poolhost opens to httpsys: the only channel that carries an OS handle.

/** The OS handle of a listening TCP socket, carried beside a message (never inside its JSON). */
export interface ListenSocketHandle {
  readonly fd: number;
}

/** httpsys -> poolhost, request: the listening socket for (ip, port); poolhost opens it unless it holds it. */
export interface OpenListenSocket {
  type: 'OpenListenSocket';
  /** `*` for all addresses (dual-stack `::`, or `0.0.0.0` without IPv6). */
  ip: string;
  port: number;
}

/** Reply to OpenListenSocket. */
export interface ListenSocket {
  type: 'ListenSocket';
  /** The endpoint key, as `listenEndpointKey` spells it. */
  endpoint: string;
  /** Who opened it: poolhost on request, or systemd (socket activation). */
  openedBy: 'poolhost' | 'systemd';
  /** Moved by the IPC transport; absent only on a channel that cannot carry handles. */
  handle?: ListenSocketHandle;
}

/**
 * httpsys -> poolhost, request, after each reconciliation of its endpoints: httpsys listens on exactly
 * `endpoints`; poolhost closes every socket it opened for another endpoint (a binding removed by
 * configuration, or every endpoint of a drained host) and answers with Acknowledged only once they are
 * closed: from then on the kernel refuses connections to them (until the answer it still completes
 * handshakes into poolhost's copy). A closed channel counts as answered: poolhost is gone, and its copies
 * closed with it.
 */
export interface CloseUnusedListenSockets {
  type: 'CloseUnusedListenSockets';
  endpoints: string[];
}

export type ListenSocketMessage = OpenListenSocket | ListenSocket | CloseUnusedListenSockets;

/** Each listen-socket request and its reply. */
export interface ListenSocketReplies {
  OpenListenSocket: ListenSocket;
  CloseUnusedListenSockets: import('./management.js').Acknowledged;
}

/** `*:80`, `127.0.0.1:80`, `[::1]:80`: one spelling for httpsys, poolhost and their logs. */
export function listenEndpointKey(ip: string, port: number): string {
  return ip === '*' ? `*:${port}` : ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}
