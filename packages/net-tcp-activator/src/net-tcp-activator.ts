// The net.tcp listener adapter (NetTcpActivator's role, iis-2.md §4): registers with was for `net.tcp`,
// owns the listening sockets of the net.tcp bindings, keeps one bounded connection queue per pool, asks
// was for a pool's worker on the first connection, and relays each connection to an attached worker.
import type { Server, Socket } from 'node:net';
import { rmSync } from 'node:fs';
import { IpcPipe, firstWorkDone, type Logger } from '@poolhost/common';
import {
  listenControlSocket,
  maintainControlConnection,
  socketPath,
  type ApplySiteConfiguration,
  type ControlChannel,
  type HandlerTable,
  type NetTcpCounters,
  type RequestQueueState,
} from '@poolhost/protocol';
import { AttachedWorker } from './data-plane/attached-worker.js';
import { ConnectionQueue } from './connection-queue/connection-queue.js';
import { TcpEndpoints, type TcpRoute } from './endpoints/tcp-endpoints.js';

export interface NetTcpActivatorOptions {
  runDirectory: string;
  logger: Logger;
  /** Pass client sockets to workers that offer a handover socket (default); false: relay bytes to every worker. */
  handover?: boolean;
}

export interface NetTcpActivator {
  queue(applicationPool: string): ConnectionQueue | undefined;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createNetTcpActivator(options: NetTcpActivatorOptions): NetTcpActivator {
  const { logger, runDirectory } = options;
  const handoverEnabled = options.handover ?? true;
  const queues = new Map<string, ConnectionQueue>();
  let wasLink: ReturnType<typeof maintainControlConnection> | null = null;
  let dataServer: Server | null = null;
  let managementServer: Server | null = null;
  const workerChannels = new Set<ControlChannel>();
  /** Every worker given connections whose channel is still open (attached or detached): current connections. */
  const liveWorkers = new Set<AttachedWorker>();
  /** Sites with net.tcp bindings (from the latest configuration), and connections accepted per site id. */
  let siteNames = new Map<number, string>();
  const acceptedBySite = new Map<number, number>();

  const demand: ConstructorParameters<typeof ConnectionQueue>[1]['demand'] = (message) => {
    const channel = wasLink?.current();
    if (channel && !channel.closed) channel.notify(message);
    else logger.warn({ pool: message.applicationPool }, `a worker is demanded for '${message.applicationPool}' but was is not connected`);
    // The activator's part of a net.tcp demand start: its code cache is saved a moment later (@poolhost/common's code-cache/).
    firstWorkDone();
  };

  const onConnection = (socket: Socket, route: TcpRoute): void => {
    acceptedBySite.set(route.siteId, (acceptedBySite.get(route.siteId) ?? 0) + 1);
    const queue = queues.get(route.applicationPool!.toLowerCase());
    if (!queue) {
      socket.resetAndDestroy();
      return;
    }
    queue.enqueue({ socket, siteId: route.siteId, acceptedAt: Date.now() });
  };
  const endpoints = new TcpEndpoints(onConnection, logger.child({ component: 'endpoints' }));

  const setQueueState = (state: RequestQueueState): void => {
    const queue = queues.get(state.applicationPool.toLowerCase());
    if (!queue) return;
    queue.setState(state.enabled, state.disabledReason, state.rapidFailProtection === true);
    logger.info({ pool: state.applicationPool, enabled: state.enabled }, `connection queue '${state.applicationPool}' ${state.enabled ? 'enabled' : `disabled (${state.disabledReason ?? 'Disabled'})`}`);
  };

  // Added, changed, kept, removed: queues follow the pools; removed ones reset what they hold.
  const applySiteConfiguration = async (configuration: ApplySiteConfiguration): Promise<void> => {
    const names = new Set(configuration.requestQueues.map((settings) => settings.applicationPool.toLowerCase()));
    for (const [name, queue] of queues) {
      if (names.has(name)) continue;
      queue.close();
      queues.delete(name);
    }
    for (const settings of configuration.requestQueues) {
      const name = settings.applicationPool.toLowerCase();
      const existing = queues.get(name);
      if (existing) existing.configure(settings);
      else queues.set(name, new ConnectionQueue(settings, { demand, relay: (worker, connection) => worker.relay(connection.socket, connection.siteId) }));
    }
    for (const state of configuration.queueStates) setQueueState(state);
    siteNames = new Map(configuration.sites.filter((site) => site.bindings.length > 0).map((site) => [site.id, site.name]));
    const problems = await endpoints.apply(configuration);
    logger.info(
      { sites: configuration.sites.length, problems },
      `net.tcp configuration applied: ${configuration.sites.filter((site) => site.bindings.length > 0).length} sites with net.tcp bindings, ${queues.size} connection queues`,
    );
  };

  const wasHandlers: HandlerTable = {
    ApplySiteConfiguration: (message) => void applySiteConfiguration(message),
    SetRequestQueueState: (message) => setQueueState(message.state),
    ListenerChannelAvailable: (message) => queues.get(message.applicationPool.toLowerCase())?.listenerChannelAvailable(),
  };

  // A worker's persistent connection: it attaches for its pool, may detach, and is gone when the connection closes.
  const workerHandlers = (): HandlerTable => {
    let attached: { worker: AttachedWorker; queue: ConnectionQueue } | null = null;
    return {
      AttachNetTcpListenerChannel: async (message, channel) => {
        const queue = queues.get(message.applicationPool.toLowerCase());
        if (!queue) throw new Error(`no net.tcp connection queue for application pool '${message.applicationPool}'`);
        const worker = new AttachedWorker(queue.name, message.pid, message.workerId, message.socketPath, channel);
        if (handoverEnabled && message.handoverSocketPath) {
          try {
            worker.handover = await IpcPipe.connect(message.handoverSocketPath, (line) => worker.handedOverConnectionClosed(line));
          } catch (error) {
            logger.warn({ err: error, workerPid: worker.pid }, `worker ${worker.pid}'s handover socket cannot be reached; its connections are relayed`);
          }
        }
        if (channel.closed) {
          worker.handover?.close();
          return { type: 'Acknowledged', detail: '' };
        }
        attached = { worker, queue };
        liveWorkers.add(worker);
        channel.onClose(() => {
          liveWorkers.delete(worker);
          worker.handover?.close();
          queue.detach(worker);
          logger.info({ pool: queue.name, workerPid: worker.pid }, `worker ${worker.pid} of '${queue.name}' left (${worker.openConnections} connections were open)`);
        });
        queue.attach(worker);
        logger.info({ pool: queue.name, workerPid: worker.pid, handover: worker.handover !== null }, `worker ${worker.pid} attached to net.tcp connection queue '${queue.name}' (${worker.handover ? 'sockets handed over' : 'bytes relayed'})`);
        return { type: 'Acknowledged', detail: '' };
      },
      DetachNetTcpListenerChannel: () => {
        if (attached) {
          attached.worker.detached = true;
          attached.queue.detach(attached.worker);
        }
        return { type: 'Acknowledged', detail: '' };
      },
    };
  };

  // Read when inetmgr asks (a scrape), from the integers the data path keeps: nothing is built per connection.
  const counters = (): NetTcpCounters => {
    const openByPool = new Map<string, number>();
    const openBySite = new Map<number, number>();
    const poolOfSite = new Map<number, string>();
    for (const worker of liveWorkers) {
      const pool = worker.applicationPool.toLowerCase();
      openByPool.set(pool, (openByPool.get(pool) ?? 0) + worker.openConnections);
      for (const [siteId, open] of worker.openBySite) {
        openBySite.set(siteId, (openBySite.get(siteId) ?? 0) + open);
        poolOfSite.set(siteId, worker.applicationPool);
      }
    }
    for (const route of endpoints.routes()) if (route.applicationPool) poolOfSite.set(route.siteId, route.applicationPool);
    return {
      type: 'NetTcpCounters',
      queues: [...queues.entries()].map(([key, queue]) => ({
        applicationPool: queue.name,
        enabled: queue.state.enabled,
        totalConnections: queue.counters.accepted,
        currentConnections: queue.queued + (openByPool.get(key) ?? 0),
        queuedConnections: queue.queued,
        refusedByReason: { ...queue.counters.refusedByReason },
        attachedWorkers: queue.attachedWorkers.filter((worker) => !worker.detached).length,
      })),
      sites: [...new Set([...siteNames.keys(), ...acceptedBySite.keys()])].sort((a, b) => a - b).map((siteId) => {
        const applicationPool = poolOfSite.get(siteId) ?? '';
        const queued = queues.get(applicationPool.toLowerCase())?.queuedFor(siteId) ?? 0;
        return {
          siteId,
          siteName: siteNames.get(siteId) ?? '',
          applicationPool,
          totalConnections: acceptedBySite.get(siteId) ?? 0,
          currentConnections: queued + (openBySite.get(siteId) ?? 0),
        };
      }),
    };
  };

  return {
    queue: (name) => queues.get(name.toLowerCase()),
    async start() {
      managementServer = await listenControlSocket(socketPath(runDirectory, 'net-tcp'), () => ({
        peer: 'inetmgr',
        handlers: { GetNetTcpCounters: () => counters() },
        onProtocolError: (error) => logger.warn({ err: error }, `management message rejected: ${error.message}`),
      }));
      dataServer = await listenControlSocket(
        socketPath(runDirectory, 'net-tcp-data'),
        () => ({ peer: 'w3wp', handlers: workerHandlers(), onProtocolError: (error) => logger.warn({ err: error }, `worker message rejected: ${error.message}`) }),
        (channel) => {
          workerChannels.add(channel);
          channel.onClose(() => workerChannels.delete(channel));
        },
      );
      wasLink = maintainControlConnection(socketPath(runDirectory, 'was'), {
        peer: 'was',
        handlers: wasHandlers,
        onProtocolError: (error) => logger.warn({ err: error }, `control message from was rejected: ${error.message}`),
        onConnected: (channel) => {
          logger.info('connected to was; registering as the net.tcp listener adapter');
          channel.request({ type: 'RegisterListenerAdapter', pid: process.pid, protocol: 'net.tcp' }).then(
            (reply) => applySiteConfiguration(reply),
            (error: unknown) => logger.error({ err: error }, `was did not accept the net.tcp listener adapter registration: ${error instanceof Error ? error.message : String(error)}`),
          );
        },
        onDisconnected: () => logger.warn('lost the connection to was; reconnecting'),
      });
      logger.info('net.tcp activator started');
    },
    async stop() {
      wasLink?.stop();
      endpoints.closeAll();
      for (const queue of queues.values()) queue.close();
      dataServer?.close();
      managementServer?.close();
      for (const channel of workerChannels) channel.close();
      rmSync(socketPath(runDirectory, 'net-tcp-data'), { force: true });
      rmSync(socketPath(runDirectory, 'net-tcp'), { force: true });
    },
  };
}
