// was's one handler table: what w3svc (activation), appcmd and poolhost (management) may send.
import type { Logger } from '@poolhost/common';
import type { ApplicationHostConfig } from '@poolhost/config';
import type { ConfigurationFile, HandlerTable, RequestList, RequestQueueState, WorkerProcessList, WorkerRequestList } from '@poolhost/protocol';
import type { ApplicationPool } from '../application-pool/application-pool.js';
import { buildSiteConfiguration } from '../configuration/site-configuration.js';
import type { EventLog } from '../event-log/event-log.js';
import type { ListenerAdapters } from '../listener-adapter/listener-adapters.js';
import { wasErrors } from './was-errors.js';

export interface WasHandlerContext {
  pools: Map<string, ApplicationPool>;
  listenerAdapters: ListenerAdapters;
  eventLog: EventLog;
  logger: Logger;
  configuration(): ApplicationHostConfig;
  queueStates(): RequestQueueState[];
  shuttingDown(): boolean;
}

const workerRequestTimeoutMs = 5_000;
/** `list wp` waits this long for fresh request counters before showing the last known ones. */
const countersTimeoutMs = 500;

export function wasHandlers(context: WasHandlerContext): HandlerTable {
  const { pools, logger, eventLog } = context;
  const find = (name: string): ApplicationPool => {
    const pool = pools.get(name.toLowerCase());
    if (!pool) throw wasErrors.applicationPoolNotFound(name);
    return pool;
  };
  const selected = (name: string | undefined): ApplicationPool[] => (name === undefined ? [...pools.values()] : [find(name)]);
  const known = (name: string): ApplicationPool | undefined => {
    const pool = pools.get(name.toLowerCase());
    if (!pool) logger.warn({ pool: name }, `activation for unknown application pool '${name}' ignored`);
    return pool;
  };

  return {
    RegisterListenerAdapter: (message, channel) => {
      context.listenerAdapters.register(channel);
      logger.info({ adapterPid: message.pid }, `listener adapter ${message.pid} registered`);
      return buildSiteConfiguration(context.configuration(), context.queueStates());
    },
    WorkerDemanded: (message) => {
      if (!context.shuttingDown()) known(message.applicationPool)?.demand(message);
    },
    RequestQueueActive: (message) => {
      if (!context.shuttingDown()) known(message.applicationPool)?.queueActive();
    },
    GetConfigurationFile: () => ({ type: 'ConfigurationFile', file: context.configuration().file }) satisfies ConfigurationFile,
    ListApplicationPools: () => ({ type: 'ApplicationPoolList', applicationPools: [...pools.values()].map((pool) => pool.status()) }),
    ListWorkerProcesses: async (message) => {
      const chosen = selected(message.applicationPool);
      await Promise.all(chosen.flatMap((pool) => pool.liveWorkers()).map((worker) => worker.refreshCounters(countersTimeoutMs)));
      return { type: 'WorkerProcessList', workers: chosen.flatMap((pool) => pool.workerProcesses()) } satisfies WorkerProcessList;
    },
    StartApplicationPool: async (message) => {
      if (context.shuttingDown()) throw wasErrors.shuttingDown();
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
    // 5079 is written for the request itself; a started pool with no worker has nothing else to do.
    RecycleApplicationPool: async (message) => {
      const pool = find(message.name);
      if (pool.state !== 'Started') throw wasErrors.notStarted();
      pool.logRecycle('OnDemand', 0);
      pool.recycle('OnDemand', undefined, { logEvent: false });
      // Non-overlapped: the old workers stop first; reply once they have detached from the queue, so a
      // request sent after the reply waits for the new worker. (Overlapped: nothing is stopping yet.)
      await pool.stoppingWorkersDetached(2_000);
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
}
