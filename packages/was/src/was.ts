// The Windows Process Activation Service: application pools and their worker processes, the
// listener adapter registration, the event log, and the runtime queries appcmd and poolhost ask.
import type { Server } from 'node:net';
import { rmSync } from 'node:fs';
import type { Logger } from '@poolhost/common';
import type { ApplicationHostConfig } from '@poolhost/config';
import {
  listenControlSocket,
  socketPath,
  type ControlChannel,
  type HandlerTable,
  type RequestList,
  type WorkerRequestList,
  type WorkerProcessList,
} from '@poolhost/protocol';
import { ApplicationPool } from './application-pool/application-pool.js';
import { systemClock, type Clock } from './clock/clock.js';
import { buildSiteConfiguration } from './configuration/site-configuration.js';
import { EventLog } from './event-log/event-log.js';
import { ListenerAdapters } from './listener-adapter/listener-adapters.js';
import { wasErrors } from './management/was-errors.js';
import type { WorkerSpawner } from './worker-process/worker-spawner.js';

export interface WasOptions {
  config: ApplicationHostConfig;
  runDirectory: string;
  logger: Logger;
  spawner: WorkerSpawner;
  clock?: Clock;
}

export interface Was {
  readonly eventLog: EventLog;
  /** Messages was accepts from w3svc, appcmd and poolhost. */
  readonly handlers: HandlerTable;
  applicationPool(name: string): ApplicationPool | undefined;
  /** Starts every autoStart pool. */
  start(): Promise<void>;
  /** Listens on `was.sock` in the run directory. */
  listen(): Promise<void>;
  /** Stops every worker gracefully (each within its pool's shutdownTimeLimit) and closes the socket. */
  stop(): Promise<void>;
}

const workerRequestTimeoutMs = 5_000;
/** `list wp` waits this long for fresh request counters before showing the last known ones. */
const countersTimeoutMs = 500;

export function createWas(options: WasOptions): Was {
  const clock = options.clock ?? systemClock;
  const logger = options.logger;
  const eventLog = new EventLog(logger.child({ component: 'event-log' }), clock);
  const listenerAdapters = new ListenerAdapters();
  let config = options.config;
  let shuttingDown = false;
  let server: Server | null = null;
  const clients = new Set<ControlChannel>();
  let nextWorkerId = 1;

  const pools = new Map<string, ApplicationPool>();
  for (const poolConfig of config.applicationPools) {
    pools.set(
      poolConfig.name.toLowerCase(),
      new ApplicationPool({
        config: poolConfig,
        spawner: options.spawner,
        clock,
        logger,
        eventLog,
        nextWorkerId: () => String(nextWorkerId++),
        publishQueueState: (state) => {
          if (!shuttingDown) listenerAdapters.publishQueueState(state);
        },
      }),
    );
  }

  const find = (name: string): ApplicationPool => {
    const pool = pools.get(name.toLowerCase());
    if (!pool) throw wasErrors.applicationPoolNotFound(name);
    return pool;
  };
  const selected = (name: string | undefined): ApplicationPool[] => (name === undefined ? [...pools.values()] : [find(name)]);
  const queueStates = () => [...pools.values()].map((pool) => pool.queueState());

  const handlers: HandlerTable = {
    RegisterListenerAdapter: (message, channel) => {
      listenerAdapters.register(channel);
      logger.info({ adapterPid: message.pid }, `listener adapter ${message.pid} registered`);
      return buildSiteConfiguration(config, queueStates());
    },
    WorkerDemanded: (message) => {
      const pool = pools.get(message.applicationPool.toLowerCase());
      if (!pool) {
        logger.warn({ pool: message.applicationPool }, `a worker was demanded for unknown application pool '${message.applicationPool}'`);
        return;
      }
      if (!shuttingDown) pool.demand(message);
    },
    ListApplicationPools: () => ({ type: 'ApplicationPoolList', applicationPools: [...pools.values()].map((pool) => pool.status()) }),
    ListWorkerProcesses: async (message) => {
      const chosen = selected(message.applicationPool);
      await Promise.all(chosen.flatMap((pool) => pool.liveWorkers()).map((worker) => worker.refreshCounters(countersTimeoutMs)));
      return { type: 'WorkerProcessList', workers: chosen.flatMap((pool) => pool.workerProcesses()) } satisfies WorkerProcessList;
    },
    StartApplicationPool: async (message) => {
      if (shuttingDown) throw wasErrors.shuttingDown();
      const pool = find(message.name);
      if (pool.state === 'Started' || pool.state === 'Starting') throw wasErrors.alreadyStarted();
      await pool.start('started by an administrator');
      return { type: 'Acknowledged', detail: `"${pool.name}" successfully started.` };
    },
    StopApplicationPool: async (message) => {
      const pool = find(message.name);
      if (pool.state === 'Stopped') throw wasErrors.notStarted();
      await pool.stop({ kind: 'adminStop' }, 'stopped by an administrator');
      return { type: 'Acknowledged', detail: `"${pool.name}" successfully stopped.` };
    },
    RecycleApplicationPool: (message) => {
      const pool = find(message.name);
      if (pool.state !== 'Started') throw wasErrors.notStarted();
      pool.logRecycle('OnDemand', 0);
      pool.recycle('OnDemand');
      return { type: 'Acknowledged', detail: `"${pool.name}" successfully recycled` };
    },
    GetEventJournal: (message) => ({ type: 'EventJournal', ...eventLog.journal(message.applicationPool, message.limit) }),
    ListRequests: async (message) => {
      const workers = selected(message.applicationPool).flatMap((pool) => pool.liveWorkers());
      const lists = await Promise.all(
        workers.map(async (worker) => {
          try {
            const reply = await worker.request<WorkerRequestList>({ type: 'ListWorkerRequests' }, workerRequestTimeoutMs);
            return reply.requests.map((request) => ({ ...request, pid: worker.pid, applicationPool: worker.applicationPoolName }));
          } catch (error) {
            logger.warn({ err: error, pool: worker.applicationPoolName, workerPid: worker.pid }, `worker ${worker.pid} did not list its requests`);
            return [];
          }
        }),
      );
      return { type: 'RequestList', requests: lists.flat() } satisfies RequestList;
    },
  };

  return {
    eventLog,
    handlers,
    applicationPool: (name) => pools.get(name.toLowerCase()),
    async start() {
      for (const pool of pools.values()) {
        if (pool.configuration.autoStart) await pool.start('autoStart');
      }
      logger.info({ applicationPools: pools.size }, `the Windows Process Activation Service started with ${pools.size} application pools`);
    },
    async listen() {
      const path = socketPath(options.runDirectory, 'was');
      server = await listenControlSocket(path, () => ({
        peer: 'was client',
        handlers,
        onProtocolError: (error) => logger.warn({ err: error }, `control message rejected: ${error.message}`),
      }), (channel: ControlChannel) => {
        clients.add(channel);
        channel.onClose(() => clients.delete(channel));
      });
      logger.info({ socket: path }, `was listening on ${path}`);
    },
    async stop() {
      if (shuttingDown) return;
      shuttingDown = true;
      logger.info('the Windows Process Activation Service is stopping; stopping every worker process');
      await Promise.all([...pools.values()].map((pool) => pool.shutdown()));
      if (server) {
        server.close();
        for (const client of clients) client.close();
        rmSync(socketPath(options.runDirectory, 'was'), { force: true });
      }
      logger.info('the Windows Process Activation Service stopped');
    },
  };
}
