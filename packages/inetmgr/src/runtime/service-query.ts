// Asks a running service one question over its control socket, as appcmd's runtime verbs do: connect,
// request, close. Nothing is kept open, so a restarted service is simply asked again next time.
import { connectControlSocket, socketPath, type ControlMessage } from '@poolhost/protocol';

export type QueriedService = 'was' | 'w3svc' | 'httpsys';

export interface ServiceQuery {
  ask<R extends ControlMessage>(service: QueriedService, message: ControlMessage, timeoutMs?: number): Promise<R>;
}

export function createServiceQuery(runDirectory: string, connectTimeoutMs = 1_000): ServiceQuery {
  return {
    async ask<R extends ControlMessage>(service: QueriedService, message: ControlMessage, timeoutMs = 5_000): Promise<R> {
      const channel = await connectControlSocket(
        socketPath(runDirectory, service),
        // httpsys announces activation (WorkerDemanded) to every control connection; a query ignores it.
        { peer: service, handlers: {}, onProtocolError: () => undefined },
        connectTimeoutMs,
      );
      try {
        return await channel.request<R>(message, timeoutMs);
      } finally {
        channel.close();
      }
    },
  };
}
