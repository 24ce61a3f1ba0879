// w3svc wiring: a maintained connection to was and to httpsys, and its own management socket.
import type { Server } from 'node:net';
import { rmSync } from 'node:fs';
import type { Logger } from '@poolhost/common';
import {
  listenControlSocket,
  maintainControlConnection,
  socketPath,
  type ApplyUrlGroups,
  type ControlChannel,
  type ControlEvent,
} from '@poolhost/protocol';
import { ListenerAdapter } from './listener-adapter/listener-adapter.js';

export interface W3svcOptions {
  runDirectory: string;
  logger: Logger;
}

export interface W3svc {
  readonly adapter: ListenerAdapter;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createW3svc(options: W3svcOptions): W3svc {
  const { logger, runDirectory } = options;
  let wasLink: ReturnType<typeof maintainControlConnection> | null = null;
  let httpSysLink: ReturnType<typeof maintainControlConnection> | null = null;
  let server: Server | null = null;
  const clients = new Set<ControlChannel>();

  const notify = (link: typeof wasLink, message: ControlEvent): boolean => {
    const channel = link?.current();
    if (!channel || channel.closed) return false;
    channel.notify(message);
    return true;
  };
  const request = (link: typeof wasLink, message: ApplyUrlGroups, peer: string): boolean => {
    const channel = link?.current();
    if (!channel || channel.closed) return false;
    channel.request(message).then(
      (reply) => {
        // httpsys applies what it can and names what it could not (e.g. a port already in use).
        if (reply.detail) logger.warn({ detail: reply.detail }, `${peer} applied ${message.type} with problems: ${reply.detail}`);
      },
      (error: unknown) => {
        logger.error({ err: error }, `${peer} rejected ${message.type}: ${error instanceof Error ? error.message : String(error)}`);
      },
    );
    return true;
  };

  const adapter = new ListenerAdapter(
    {
      toHttpSys: (message) => (message.type === 'ApplyUrlGroups' ? request(httpSysLink, message, 'httpsys') : notify(httpSysLink, message)),
      toWas: (message) => notify(wasLink, message),
    },
    logger,
  );

  const onProtocolError = (peer: string) => (error: Error) => logger.warn({ err: error }, `control message from ${peer} rejected: ${error.message}`);

  return {
    adapter,
    async start() {
      const path = socketPath(runDirectory, 'w3svc');
      server = await listenControlSocket(
        path,
        () => ({ peer: 'w3svc client', handlers: adapter.managementHandlers(), onProtocolError: onProtocolError('client') }),
        (channel) => {
          clients.add(channel);
          channel.onClose(() => clients.delete(channel));
        },
      );
      httpSysLink = maintainControlConnection(socketPath(runDirectory, 'httpsys'), {
        peer: 'httpsys',
        handlers: adapter.httpSysHandlers(),
        onProtocolError: onProtocolError('httpsys'),
        onConnected: () => {
          logger.info('connected to httpsys');
          adapter.programHttpSys();
        },
        onDisconnected: () => logger.warn('lost the connection to httpsys; reconnecting'),
      });
      wasLink = maintainControlConnection(socketPath(runDirectory, 'was'), {
        peer: 'was',
        handlers: adapter.wasHandlers(),
        onProtocolError: onProtocolError('was'),
        onConnected: (channel) => {
          logger.info('connected to was; registering as listener adapter');
          channel.request({ type: 'RegisterListenerAdapter', pid: process.pid, protocol: 'http' }).then(
            (reply) => adapter.applySiteConfiguration(reply),
            (error: unknown) => logger.error({ err: error }, 'was did not accept the listener adapter registration'),
          );
        },
        onDisconnected: () => logger.warn('lost the connection to was; reconnecting'),
      });
      logger.info({ socket: path }, `w3svc listening on ${path}`);
    },
    async stop() {
      wasLink?.stop();
      httpSysLink?.stop();
      if (server) {
        server.close();
        for (const client of clients) client.close();
        rmSync(socketPath(runDirectory, 'w3svc'), { force: true });
      }
    },
  };
}
