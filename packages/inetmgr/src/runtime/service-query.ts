// Asks a running service questions over its control socket, as appcmd's runtime verbs do, but over one
// connection per service kept open between questions: a scrape once a second would otherwise cost every
// service an accept, a channel and a close each time (docs/performance.md, "Metrics on"). The connection
// is opened on the first question and dropped when the service closes it, so a restarted service is
// simply connected to again with the next question; nothing is polled in between.
import { connectControlSocket, socketPath, type ControlChannel, type ControlRequest, type ReplyTo } from '@poolhost/protocol';

export type QueriedService = 'was' | 'w3svc' | 'httpsys' | 'nettcpactivator';

export interface ServiceQuery {
  ask<M extends ControlRequest>(service: QueriedService, message: M, timeoutMs?: number): Promise<ReplyTo<M>>;
  /** Closes the kept connections (inetmgr stopping). */
  close?(): void;
}

export function createServiceQuery(runDirectory: string, connectTimeoutMs = 1_000): ServiceQuery {
  const channels = new Map<QueriedService, Promise<ControlChannel>>();
  let closed = false;
  const channelTo = (service: QueriedService): Promise<ControlChannel> => {
    let channel = channels.get(service);
    if (!channel) {
      channel = connectControlSocket(
        socketPath(runDirectory, service === 'nettcpactivator' ? 'net-tcp' : service),
        // httpsys announces activation only to the channel that programs it (w3svc's), never to a query's.
        { peer: service, handlers: {}, onProtocolError: () => undefined },
        connectTimeoutMs,
      );
      channels.set(service, channel);
      channel.then(
        (connected) => {
          connected.onClose(() => {
            if (channels.get(service) === channel) channels.delete(service);
          });
          if (closed) connected.close();
        },
        () => {
          if (channels.get(service) === channel) channels.delete(service);
        },
      );
    }
    return channel;
  };
  return {
    async ask<M extends ControlRequest>(service: QueriedService, message: M, timeoutMs = 5_000): Promise<ReplyTo<M>> {
      if (closed) throw new Error(`inetmgr is stopping; ${service} is not asked`);
      return (await channelTo(service)).request(message, timeoutMs);
    },
    close() {
      closed = true;
      for (const channel of channels.values()) channel.then((connected) => connected.close(), () => undefined);
      channels.clear();
    },
  };
}
