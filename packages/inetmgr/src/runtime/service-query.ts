// Asks a running service one question over its control socket, as appcmd's runtime verbs do: connect,
// request, close. Nothing is kept open, so a restarted service is simply asked again next time.
import { connectControlSocket, socketPath, type ControlRequest, type ReplyTo } from '@poolhost/protocol';

export type QueriedService = 'was' | 'w3svc' | 'httpsys';

export interface ServiceQuery {
  ask<M extends ControlRequest>(service: QueriedService, message: M, timeoutMs?: number): Promise<ReplyTo<M>>;
}

export function createServiceQuery(runDirectory: string, connectTimeoutMs = 1_000): ServiceQuery {
  return {
    async ask<M extends ControlRequest>(service: QueriedService, message: M, timeoutMs = 5_000): Promise<ReplyTo<M>> {
      const channel = await connectControlSocket(
        socketPath(runDirectory, service),
        // httpsys announces activation (WorkerDemanded) to every control connection; a query ignores it.
        { peer: service, handlers: {}, onProtocolError: () => undefined },
        connectTimeoutMs,
      );
      try {
        return await channel.request(message, timeoutMs);
      } finally {
        channel.close();
      }
    },
  };
}
