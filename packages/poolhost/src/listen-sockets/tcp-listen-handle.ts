// The one file that touches Node internals for listening sockets. poolhost must hold a socket without
// accepting on it (httpsys accepts): a libuv TCP handle that is bound or opened but never `listen`ed
// in this process is not polled, so the kernel keeps queueing connections for whoever listens on a copy
// of it. `net._createServerHandle` — what Node's cluster primary uses to bind the sockets it hands to
// its workers — gives exactly that handle; the IPC channel sends it as a `net.Native` handle.
import net from 'node:net';
import { getSystemErrorName } from 'node:util';

/** A bound (or inherited) TCP socket that this process holds and never accepts on. */
export interface TcpListenHandle {
  readonly fd: number;
  getsockname(out: { address?: string; port?: number; family?: string }): number;
  close(): void;
}

type CreateServerHandle = (address: string | null, port: number | null, addressType: number | null, fd?: number, flags?: number) => TcpListenHandle | number;

const createServerHandle = (net as unknown as { _createServerHandle?: CreateServerHandle })._createServerHandle;

/** Start-up self-check: a Node release that moved it must fail loudly, not serve without the port guarantee. */
export function assertTcpListenHandlesAvailable(): void {
  if (typeof createServerHandle !== 'function') {
    throw new Error(`this Node.js (${process.version}) has no net._createServerHandle: poolhost cannot hold listening sockets`);
  }
}

export class ListenSocketError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

/** Binds (ip, port) without listening: httpsys' listen() on its copy makes the socket accept. */
export function bindTcpListenHandle(ip: string, port: number): TcpListenHandle {
  assertTcpListenHandlesAvailable();
  const result = createServerHandle!(ip, port, net.isIPv6(ip) ? 6 : 4, undefined, 0);
  if (typeof result === 'number') {
    const code = getSystemErrorName(result);
    throw new ListenSocketError(code, `bind ${code} ${ip.includes(':') ? `[${ip}]` : ip}:${port}`);
  }
  // libuv keeps EADDRINUSE from bind(2) for the listen(2) this process never makes, and leaves the socket
  // unbound: httpsys' listen() would then bind it to a random port. An unbound socket names port 0.
  if (port !== 0 && localAddress(result).port !== port) {
    result.close();
    throw new ListenSocketError('EADDRINUSE', `bind EADDRINUSE ${ip.includes(':') ? `[${ip}]` : ip}:${port}`);
  }
  return result;
}

/** Wraps an inherited descriptor (systemd's LISTEN_FDS); only a TCP socket is accepted. */
export function adoptTcpListenHandle(fd: number): TcpListenHandle {
  assertTcpListenHandlesAvailable();
  let result: TcpListenHandle | number;
  try {
    result = createServerHandle!(null, null, null, fd);
  } catch (error) {
    throw new ListenSocketError('EINVAL', `descriptor ${fd} is not a TCP socket (${error instanceof Error ? error.message : String(error)})`);
  }
  if (typeof result === 'number') {
    const code = getSystemErrorName(result);
    throw new ListenSocketError(code, `descriptor ${fd} is not a TCP socket (${code})`);
  }
  // A Unix socket opens as a pipe handle, which has no getsockname.
  if (typeof result.getsockname !== 'function' || localAddress(result).port === undefined) {
    result.close();
    throw new ListenSocketError('EINVAL', `descriptor ${fd} is not a TCP socket`);
  }
  return result;
}

/** The address the socket is bound to: `::`/`0.0.0.0` become `*`, as a binding spells it. */
export function localAddress(handle: TcpListenHandle): { ip: string; port?: number } {
  const out: { address?: string; port?: number } = {};
  handle.getsockname(out);
  const ip = out.address === '::' || out.address === '0.0.0.0' ? '*' : (out.address ?? '');
  return { ip, ...(out.port !== undefined ? { port: out.port } : {}) };
}
