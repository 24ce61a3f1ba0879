// Where httpsys gets its listening sockets when something outlives it: poolhost (the Service Control
// Manager role) holds one socket per endpoint and hands httpsys a copy on its IPC channel, so the port
// stays open while httpsys restarts. Without a source (httpsys run alone, tests) httpsys opens its own.
import type { Logger } from 'pino';
import {
  ChannelClosedError,
  ControlChannel,
  createIpcTransport,
  type CloseUnusedListenSockets,
  type IpcEndpoint,
  type ListenSocket,
  type ListenSocketHandle,
  type OpenListenSocket,
} from '@poolhost/protocol';
import type { ListenEndpoint } from '../routing/routing-table.js';

export interface ListenSocketSource {
  /** A copy of the endpoint's listening socket. Rejects with the OS code (EADDRINUSE, EACCES…) when it cannot be opened. */
  acquire(endpoint: ListenEndpoint): Promise<{ handle: ListenSocketHandle; openedBy: ListenSocket['openedBy'] }>;
  /**
   * httpsys now listens on exactly these endpoints: the source closes the sockets of any other, and
   * resolves once they are closed (a connect to them is refused from then on). Never rejects.
   */
  applied(endpoints: string[]): Promise<void>;
}

/** How long poolhost may take to bind a socket and send it (it answers at once; this only bounds a hang). */
const acquireTimeoutMs = 10_000;
/** How long poolhost may take to close sockets (it answers at once; this only bounds a hang). */
const closeUnusedTimeoutMs = 10_000;

/** The source on the IPC channel to poolhost, or null when httpsys was not started by poolhost. */
export function listenSocketsFromPoolhost(parent: IpcEndpoint | null, logger: Logger): ListenSocketSource | null {
  if (!parent?.send) return null;
  const channel = new ControlChannel(createIpcTransport(parent), {
    peer: 'poolhost',
    handlers: {},
    onProtocolError: (error) => logger.warn({ err: error }, `poolhost: ${error.message}`),
  });
  return {
    async acquire(endpoint) {
      const reply = await channel.request({ type: 'OpenListenSocket', ip: endpoint.ip, port: endpoint.port } satisfies OpenListenSocket, acquireTimeoutMs);
      if (!reply.handle) throw Object.assign(new Error(`poolhost sent no socket for ${reply.endpoint}`), { code: 'ENOTSOCK' });
      return { handle: reply.handle, openedBy: reply.openedBy };
    },
    async applied(endpoints) {
      try {
        await channel.request({ type: 'CloseUnusedListenSockets', endpoints } satisfies CloseUnusedListenSockets, closeUnusedTimeoutMs);
      } catch (error) {
        // Closed channel: poolhost is gone (httpsys follows it), and the kernel closed its copies with it.
        if (error instanceof ChannelClosedError) return;
        // No answer, or poolhost failed to close one: say so and go on; what httpsys closed stays closed.
        logger.warn({ err: error, endpoints }, `poolhost did not confirm it closed the sockets of the endpoints httpsys no longer listens on: ${(error as Error).message}`);
      }
    },
  };
}
