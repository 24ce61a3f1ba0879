// was's one handler table: what w3svc (activation), appcmd and poolhost (management) may send.
import { startupMark } from '@poolhost/common/startup-trace';
import { firstWorkDone, type Logger } from '@poolhost/common';
import { listenerAdapterNames, type ApplicationHostConfig } from '@poolhost/config';
import type { ApplicationPoolCounters, ConfigurationFile, ConfigurationState, HandlerTable, RequestList, RequestQueueState, SpareWorkerCounters, WorkerProcessList, WorkerRequestList } from '@poolhost/protocol';
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
  /** The generation in force and where it came from (absent: not tracked). */
  configurationState?(): ConfigurationState;
  queueStates(): RequestQueueState[];
  shuttingDown(): boolean;
  /** When was started (Total Application Pool Uptime counts from it). */
  startedAt: string;
  /** Pids of the spares waiting for a pool; undefined when none are configured. */
  spareWorkers?: () => number[] | undefined;
  /** The spares' counters; undefined when none are configured. */
  spareWorkerCounters?: () => SpareWorkerCounters | undefined;
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
  /** A Running worker by pid; with `starting`, also one still Starting (a recycle is then applied once it is ready). */
  const findWorker = (pid: number, starting = false) => {
    for (const pool of pools.values()) {
      const workers = starting ? [...pool.liveWorkers(), ...pool.activeWorkers.filter((candidate) => candidate.state === 'Starting')] : pool.liveWorkers();
      const worker = workers.find((candidate) => candidate.pid === pid);
      if (worker) return { pool, worker };
    }
    throw wasErrors.workerProcessNotFound(pid);
  };
  const selected = (name: string | undefined): ApplicationPool[] => (name === undefined ? [...pools.values()] : [find(name)]);
  const known = (name: string): ApplicationPool | undefined => {
    const pool = pools.get(name.toLowerCase());
    if (!pool) logger.warn({ pool: name }, `activation for unknown application pool '${name}' ignored`);
    return pool;
  };

  return {
    RegisterListenerAdapter: (message, channel) => {
      context.listenerAdapters.register(channel, message.protocol, message.pid, listenerAdapterNames(context.configuration()));
      logger.info({ adapterPid: message.pid, protocol: message.protocol }, `listener adapter ${message.pid} registered for ${message.protocol}`);
      return buildSiteConfiguration(context.configuration(), context.queueStates(), message.protocol);
    },
    WorkerDemanded: (message) => {
      startupMark('was WorkerDemanded');
      if (!context.shuttingDown()) known(message.applicationPool)?.demand(message);
      // was's part of a demand start (the worker spawned, its start followed a moment later): the code
      // cache is saved then (@poolhost/common's code-cache/).
      firstWorkDone();
    },
    RequestQueueActive: (message) => {
      if (!context.shuttingDown()) known(message.applicationPool)?.queueActive();
    },
    StandbyPromoted: (message) => {
      if (!context.shuttingDown()) known(message.applicationPool)?.standbyPromoted(message);
    },
    GetConfigurationFile: () => {
      const configuration = context.configurationState?.();
      return { type: 'ConfigurationFile', file: context.configuration().file, ...(configuration ? { configuration } : {}) } satisfies ConfigurationFile;
    },
    ListApplicationPools: () => ({ type: 'ApplicationPoolList', applicationPools: [...pools.values()].map((pool) => pool.status()) }),
    ListWorkerProcesses: async (message) => {
      const chosen = selected(message.applicationPool);
      await Promise.all(chosen.flatMap((pool) => pool.liveWorkers()).map((worker) => worker.refreshCounters(countersTimeoutMs)));
      const spares = context.spareWorkers?.();
      return { type: 'WorkerProcessList', workers: chosen.flatMap((pool) => pool.workerProcesses()), ...(spares ? { spareWorkers: spares } : {}) } satisfies WorkerProcessList;
    },
    // APP_POOL_WAS and W3SVC_W3WP: the pools' own counters, and each worker's as fresh as a ping gets them.
    GetApplicationPoolCounters: async () => {
      const all = [...pools.values()];
      const spares = context.spareWorkerCounters?.();
      await Promise.all(all.flatMap((pool) => pool.liveWorkers()).map((worker) => worker.refreshCounters(countersTimeoutMs)));
      const configuration = context.configurationState?.();
      return {
        type: 'ApplicationPoolCounters',
        startedAt: context.startedAt,
        applicationPools: all.map((pool) => pool.counterSet()),
        workers: all.flatMap((pool) => pool.workerCounterSets()),
        ...(spares ? { spareWorkers: spares } : {}),
        ...(configuration ? { configuration } : {}),
      } satisfies ApplicationPoolCounters;
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
    // 5079 is written for the request itself; a started pool with no worker has nothing else to do. A
    // worker still starting (a demand start, an earlier recycle's replacement) is recycled once it is ready.
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
    RecycleWorkerProcess: (message) => {
      const { pool, worker } = findWorker(message.pid, true);
      if (pool.recycle('OnDemand', worker) === 0) throw wasErrors.notStarted();
      logger.info({ pool: pool.name, workerPid: worker.pid }, `worker process ${worker.pid} of application pool '${pool.name}' recycled on request${worker.state === 'Starting' ? ' (once it is ready: it is still starting)' : ''}`);
      return { type: 'Acknowledged', detail: `worker process ${worker.pid} of "${pool.name}" is being recycled` };
    },
    // Like ending w3wp.exe in Task Manager: no drain; the exit is a crash (5009) and counts for rapid-fail protection.
    KillWorkerProcess: (message) => {
      const { pool, worker } = findWorker(message.pid);
      logger.warn({ pool: pool.name, workerPid: worker.pid }, `worker process ${worker.pid} of application pool '${pool.name}' killed on request`);
      worker.kill();
      return { type: 'Acknowledged', detail: `worker process ${worker.pid} of "${pool.name}" killed` };
    },
    RecordHostDrain: (message) => {
      if (message.step === 'Draining') eventLog.write(5304, [message.delayMs ?? 0, message.timeLimitMs ?? 0]);
      else if (message.step === 'Undrained') eventLog.write(5307, []);
      else if ((message.connectionsCut ?? 0) > 0) eventLog.write(5306, [message.elapsedMs ?? 0, message.connectionsAtClose ?? 0, message.connectionsCut ?? 0]);
      else eventLog.write(5305, [message.elapsedMs ?? 0, message.connectionsAtClose ?? 0]);
      return { type: 'Acknowledged', detail: 'recorded' };
    },
    GetEventJournal: (message) => ({ type: 'EventJournal', ...eventLog.journal(message.applicationPool, message.limit) }),
    ListRequests: async (message) => {
      const workers = selected(message.applicationPool).flatMap((pool) => pool.liveWorkers());
      const lists = await Promise.all(
        workers.map(async (worker) => {
          try {
            const reply = await worker.request({ type: 'ListWorkerRequests' }, workerRequestTimeoutMs);
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
