// Listening on and connecting to control sockets in the run directory.
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { chmodSync, unlinkSync, existsSync } from 'node:fs';
import { ControlChannel, type ControlChannelOptions } from './control-channel.js';
import { createSocketTransport } from './socket-transport.js';

/** Listens on a Unix socket (mode 0600), replacing a stale socket file left by a dead process. */
export function listenUnixSocket(path: string, onConnection: (socket: Socket) => void): Promise<Server> {
  if (existsSync(path)) unlinkSync(path);
  const server = createServer(onConnection);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    // umask would leave a window with group/other access; chmod right after bind, before anyone is told.
    server.listen(path, () => {
      server.off('error', reject);
      chmodSync(path, 0o600);
      resolve(server);
    });
  });
}

/** Listens for control connections; each connection becomes a channel with the given handlers. */
export function listenControlSocket(
  path: string,
  options: (socket: Socket) => ControlChannelOptions,
  onChannel?: (channel: ControlChannel) => void,
): Promise<Server> {
  return listenUnixSocket(path, (socket) => {
    const channel = new ControlChannel(createSocketTransport(socket), options(socket));
    onChannel?.(channel);
  });
}

export function connectUnixSocket(path: string, timeoutMs = 2_000): Promise<Socket> {
  const { socket, connected } = connectingUnixSocket(path, timeoutMs, 'unhandled');
  return connected.then(() => socket);
}

/**
 * A connection to a Unix socket whose descriptor is usable now: Node's `connect` call has made it in the
 * kernel (or failed) before it returns; `connected` is libuv's report of it on the next loop turn, or its
 * error (ENOENT, ECONNREFUSED, EAGAIN with a full backlog, the timeout). After the connect, a later error
 * is the socket's owner's to handle (`unhandled`), or settles nothing and crashes nothing (`quiet`: for a
 * copy about to be handed to a child and closed).
 */
export function connectingUnixSocket(path: string, timeoutMs = 2_000, afterConnect: 'unhandled' | 'quiet' = 'unhandled'): { socket: Socket; connected: Promise<void> } {
  const socket = createConnection(path);
  const connected = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`connecting to ${path} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    const onError = (error: Error): void => {
      clearTimeout(timer);
      reject(error);
    };
    socket.once('connect', () => {
      clearTimeout(timer);
      if (afterConnect === 'unhandled') socket.off('error', onError);
      resolve();
    });
    socket.on('error', onError);
  });
  return { socket, connected };
}

export async function connectControlSocket(path: string, options: ControlChannelOptions, timeoutMs?: number): Promise<ControlChannel> {
  const socket = await connectUnixSocket(path, timeoutMs);
  return new ControlChannel(createSocketTransport(socket), options);
}

/**
 * Keeps a channel to a service open: connects, calls `onConnected` each time a connection is made
 * (so the caller can re-send its state), and reconnects with backoff when the peer restarts.
 */
export function maintainControlConnection(
  path: string,
  options: ControlChannelOptions & {
    onConnected: (channel: ControlChannel) => void;
    onDisconnected?: () => void;
    retryMinMs?: number;
    retryMaxMs?: number;
  },
): { stop(): void; current(): ControlChannel | null } {
  let stopped = false;
  let channel: ControlChannel | null = null;
  let delay = options.retryMinMs ?? 50;
  let timer: NodeJS.Timeout | null = null;

  const attempt = (): void => {
    timer = null;
    if (stopped) return;
    connectControlSocket(path, options).then(
      (connected) => {
        if (stopped) {
          connected.close();
          return;
        }
        channel = connected;
        delay = options.retryMinMs ?? 50;
        connected.onClose(() => {
          channel = null;
          options.onDisconnected?.();
          schedule();
        });
        options.onConnected(connected);
      },
      () => schedule(),
    );
  };
  const schedule = (): void => {
    if (stopped || timer) return;
    timer = setTimeout(attempt, delay);
    delay = Math.min(delay * 2, options.retryMaxMs ?? 1_000);
  };
  attempt();
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      channel?.close();
    },
    current: () => channel,
  };
}
