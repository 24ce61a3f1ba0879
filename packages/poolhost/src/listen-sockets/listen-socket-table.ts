// The listening sockets poolhost holds for httpsys, one per endpoint (`*:80`, `127.0.0.1:8080`), as
// systemd holds a .socket unit's: opened once (or passed by systemd), handed to every httpsys that asks,
// and never accepted on here. httpsys dying closes only its copy; the socket keeps listening and the
// kernel queues new connections until the next httpsys listens on the same socket again.
import type { Logger } from '@poolhost/common';
import { listenEndpointKey, type Acknowledged, type HandlerTable, type ListenSocket } from '@poolhost/protocol';
import type { PassedDescriptor } from './systemd-listen-fds.js';
import {
  adoptTcpListenHandle,
  bindTcpListenHandle,
  ListenSocketError,
  localAddress,
  type TcpListenHandle,
} from './tcp-listen-handle.js';

export interface HeldListenSocket {
  endpoint: string;
  openedBy: ListenSocket['openedBy'];
  handle: TcpListenHandle;
  /** systemd's FileDescriptorName=, for the log. */
  name?: string;
  /** A systemd socket no binding uses has been reported (once). */
  reportedUnused?: boolean;
}

/** The seam to the OS; tests give fakes. */
export interface TcpListenHandles {
  bind(ip: string, port: number): TcpListenHandle;
  adopt(fd: number): TcpListenHandle;
}

const osHandles: TcpListenHandles = { bind: bindTcpListenHandle, adopt: adoptTcpListenHandle };

export class ListenSocketTable {
  private readonly held = new Map<string, HeldListenSocket>();

  constructor(private readonly logger: Logger, private readonly handles: TcpListenHandles = osHandles) {}

  /** Takes systemd's sockets in, keyed by the address each is bound to. Throws on one that is not TCP. */
  adoptSystemdSockets(passed: readonly PassedDescriptor[]): void {
    for (const { fd, name } of passed) {
      const handle = this.handles.adopt(fd);
      const { ip, port } = localAddress(handle);
      const endpoint = listenEndpointKey(ip, port!);
      if (this.held.has(endpoint)) {
        handle.close();
        throw new ListenSocketError('EINVAL', `descriptor ${fd} (${name}) is a second socket for ${endpoint}`);
      }
      this.held.set(endpoint, { endpoint, openedBy: 'systemd', handle, name });
      this.logger.info({ endpoint, fd, fdName: name }, `holding ${endpoint} from systemd (descriptor ${fd}, ${name})`);
    }
  }

  /** The socket for (ip, port): the one held, or a new one bound now. Throws ListenSocketError (EADDRINUSE…). */
  open(ip: string, port: number): HeldListenSocket {
    const endpoint = listenEndpointKey(ip, port);
    const existing = this.held.get(endpoint);
    if (existing) return existing;
    const socket: HeldListenSocket = { endpoint, openedBy: 'poolhost', handle: this.bind(ip, port) };
    this.held.set(endpoint, socket);
    this.logger.info({ endpoint }, `opened ${endpoint} for httpsys`);
    return socket;
  }

  /** httpsys listens on exactly `endpoints`: the sockets poolhost opened for any other are closed. */
  closeUnused(endpoints: readonly string[]): void {
    const inUse = new Set(endpoints);
    for (const [endpoint, socket] of this.held) {
      if (inUse.has(endpoint)) {
        socket.reportedUnused = false;
        continue;
      }
      if (socket.openedBy === 'systemd') {
        // systemd holds its own copy: closing ours would not close the port. Stopping the .socket unit does.
        if (!socket.reportedUnused) this.logger.warn({ endpoint }, `the socket systemd passed for ${endpoint} (${socket.name}) matches no binding; connections to it wait unanswered`);
        socket.reportedUnused = true;
        continue;
      }
      this.held.delete(endpoint);
      socket.handle.close();
      this.logger.info({ endpoint }, `closed ${endpoint}: no binding uses it`);
    }
  }

  endpoints(): HeldListenSocket[] {
    return [...this.held.values()];
  }

  closeAll(): void {
    for (const socket of this.held.values()) socket.handle.close();
    this.held.clear();
  }

  /** What httpsys may ask on its IPC channel. */
  handlers(): HandlerTable {
    return {
      OpenListenSocket: (message) => {
        const socket = this.open(message.ip, message.port);
        return { type: 'ListenSocket', endpoint: socket.endpoint, openedBy: socket.openedBy, handle: socket.handle } satisfies ListenSocket;
      },
      // Answered once the sockets are closed (closing a handle closes its descriptor at once): httpsys waits
      // for this before it calls its listeners closed (a drain), so no connect completes after that.
      CloseUnusedListenSockets: (message) => {
        this.closeUnused(message.endpoints);
        return { type: 'Acknowledged' } satisfies Acknowledged;
      },
    };
  }

  private bind(ip: string, port: number): TcpListenHandle {
    if (ip !== '*') return this.handles.bind(ip, port);
    try {
      // `*` on a dual-stack host: one IPv6 socket takes IPv4 too (as httpsys does when it opens its own).
      return this.handles.bind('::', port);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'EAFNOSUPPORT' || code === 'EADDRNOTAVAIL') return this.handles.bind('0.0.0.0', port);
      throw error;
    }
  }
}
