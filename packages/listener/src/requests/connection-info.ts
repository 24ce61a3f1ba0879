// Addresses of a client connection, read once per connection (socket address getters call into libuv).
import type { Socket } from 'node:net';
import { normalizeAddress } from '../routing/host-header.js';
import type { ListenerRequest } from './listener-request.js';

export interface ConnectionInfo {
  clientIp: string;
  clientPort: number;
  localIp: string;
  localPort: number;
  /** Requests of this connection not yet finished (pipelining can make it more than one). */
  active: ListenerRequest[];
  /** HTTP.SYS answered an error on it: it closes, and nothing more it carries is routed. */
  closing: boolean;
  /**
   * Pipelined requests parsed while `MAX_PIPELINE_DISPATCH` of this connection's requests were already
   * queued or on a worker: they wait here, in order, not in the pool's queue (see request-intake.ts).
   */
  held: HeldRequest[];
  socket: Socket;
  /** httpsys stopped reading the connection because too many requests are held. */
  readPaused: boolean;
}

export interface HeldRequest {
  request: ListenerRequest;
  siteCounters: { errors: number };
}

const kConnectionInfo = Symbol('poolhost.connectionInfo');

type SocketWithInfo = Socket & { [kConnectionInfo]?: ConnectionInfo };

export function connectionInfo(socket: Socket): ConnectionInfo {
  const holder = socket as SocketWithInfo;
  let info = holder[kConnectionInfo];
  if (!info) {
    info = {
      clientIp: normalizeAddress(socket.remoteAddress),
      clientPort: socket.remotePort ?? 0,
      localIp: normalizeAddress(socket.localAddress),
      localPort: socket.localPort ?? 0,
      active: [],
      closing: false,
      held: [],
      socket,
      readPaused: false,
    };
    holder[kConnectionInfo] = info;
  }
  return info;
}

export function peekConnectionInfo(socket: Socket): ConnectionInfo | undefined {
  return (socket as SocketWithInfo)[kConnectionInfo];
}
