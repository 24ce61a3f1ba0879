// The Windows Process Activation Service: application pools and their worker processes, the
// listener adapter registration, live reconfiguration, the event log, and the runtime queries
// appcmd and poolhost ask.
import type { Server } from 'node:net';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from '@poolhost/common';
import {
  applicationPoolProtocols,
  ConfigError,
  describeSharedConfigurationProblem,
  formatIssue,
  listenerAdaptersToStart,
  parseApplicationHostConfig,
  redirectionChange,
  redirectionConfigPath,
  type ApplicationHostConfig,
  type ApplicationPool as ApplicationPoolConfig,
  type ServedConfiguration,
} from '@poolhost/config';
import { listenControlSocket, socketPath, type ControlChannel, type HandlerTable, type ListenerAdapterProtocol } from '@poolhost/protocol';
import { ApplicationPool } from './application-pool/application-pool.js';
import { systemClock, type Clock } from '@poolhost/common';
import { ConfigWatcher } from './configuration/config-watcher.js';
import { ConfigurationSource } from './configuration/configuration-source.js';
import { applyConfiguration, describeDiff } from './configuration/reconfiguration.js';
import { reportIgnoredApplications } from './configuration/ignored-applications.js';
import { reportNotHonouredSettings } from './configuration/not-honoured-settings.js';
import { buildSiteConfiguration } from './configuration/site-configuration.js';
import { applicationPoolsToRecycle } from './configuration/web-config-changes.js';
import { EventLog } from './event-log/event-log.js';
import { ListenerAdapters } from './listener-adapter/listener-adapters.js';
import { wasHandlers } from './management/was-handlers.js';
import { procMemorySampler, type MemorySampler } from './recycling/memory-sampler.js';
import type { SpareWorkerSpawner, WorkerSpawner } from './worker-process/worker-spawner.js';
import { SpareWorkers } from './spare-workers/spare-workers.js';
import { spareWorkerSpawner } from './spare-workers/spare-worker-spawner.js';
import type { CgroupSubtree } from './isolation/cgroup-subtree.js';
import { poolConfigurationText } from './isolation/pool-configuration.js';

export interface WasOptions {
  config: ApplicationHostConfig;
  runDirectory: string;
  logger: Logger;
  spawner: WorkerSpawner;
  /** Starts spare workers (`<applicationPools spareWorkers>`); absent: the setting is reported and no spare is kept. */
  spareSpawner?: SpareWorkerSpawner;
  clock?: Clock;
  memorySampler?: MemorySampler;
  /** The text `config` was read from: workers then get their pool's own filtered copy (configuration isolation). */
  configText?: string;
  /** The instance's cgroup subtree (the service makes one); absent: pools run without cgroups. */
  cgroups?: CgroupSubtree | null;
  /** Tests and demos: the CPU monitor's interval instead of `<cpu resetInterval>` (whole minutes). */
  cpuResetIntervalMs?: number;
  /** Watch applicationHost.config and the web.config files and apply changes live (the service does; tests may call reconfigure). */
  watchConfiguration?: boolean;
  /** After each configuration change applied: the listener adapters it needs (poolhost starts or stops the net.tcp activator). */
  listenerAdaptersRequired?(protocols: ListenerAdapterProtocol[]): void;
  /** Where `config` came from (loadServedConfiguration): local, shared (redirection.config) or the cached shared copy. Absent: local. */
  served?: Pick<ServedConfiguration, 'localFile' | 'redirection' | 'source' | 'text' | 'problem'>;
}

export interface Was {
  readonly eventLog: EventLog;
  /** Messages was accepts from w3svc, appcmd and poolhost. */
  readonly handlers: HandlerTable;
  /** The configuration in force (the last one that loaded, validated and applied). */
  readonly configuration: ApplicationHostConfig;
  /** The spare workers kept for any pool's next worker start (null: none can be started here). */
  readonly spareWorkers: SpareWorkers | null;
  applicationPool(name: string): ApplicationPool | undefined;
  /** Starts every autoStart pool (and the configuration watcher). */
  start(): Promise<void>;
  /** Listens on `was.sock` in the run directory. */
  listen(): Promise<void>;
  /** Applies a new configuration as a diff; false (and the running configuration kept) when it cannot be applied. */
  reconfigure(next: ApplicationHostConfig): Promise<boolean>;
  /** applicationHost.config text changed: load, validate and apply it, or keep the last known good one. */
  applicationHostChanged(text: string): Promise<boolean>;
  /** web.config files changed: recycle the pools of the applications they configure. */
  webConfigsChanged(files: string[]): Promise<void>;
  /** Stops every worker gracefully (each within its pool's shutdownTimeLimit) and closes the socket. */
  stop(): Promise<void>;
}

export function createWas(options: WasOptions): Was {
  const clock = options.clock ?? systemClock;
  const logger = options.logger;
  const eventLog = new EventLog(logger.child({ component: 'event-log' }), clock);
  const listenerAdapters = new ListenerAdapters();
  let config = options.config;
  const source = new ConfigurationSource({
    served: options.served ?? { localFile: config.file, redirection: null, source: 'local', text: options.configText ?? '' },
    eventLog,
    logger: logger.child({ component: 'shared-configuration' }),
    now: () => clock.now(),
  });
  // A shared file's relative paths and %SystemDrive% map to this host's own folder (loadServedConfiguration does the same).
  const configDirectory = dirname(source.current.localFile);
  /** The text of the configuration in force; null when it was applied as a model alone (tests). */
  let configText: string | null = options.configText ?? null;
  let shuttingDown = false;
  let server: Server | null = null;
  let watcher: ConfigWatcher | null = null;
  /** Watches redirection.config beside the local applicationHost.config: its edits apply live, as IIS's do. */
  let redirectionWatcher: ConfigWatcher | null = null;
  /** Configuration changes (applicationHost.config, redirection.config) are handled one after the other. */
  let changing: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(work: () => Promise<T>): Promise<T> => {
    const run = changing.then(work, work);
    changing = run.catch(() => undefined);
    return run;
  };
  const clients = new Set<ControlChannel>();
  const retiring = new Set<Promise<void>>();
  let nextWorkerId = 1;

  const spareWorkers = options.spareSpawner ? new SpareWorkers({ spawner: options.spareSpawner, clock, logger }) : null;
  const spawner = spareWorkers ? spareWorkerSpawner(options.spawner, spareWorkers, logger) : options.spawner;
  const keepSpares = (applied: ApplicationHostConfig): void => {
    const count = applied.spareWorkers ?? 0;
    if (spareWorkers) spareWorkers.resize(count);
    else if (count > 0) logger.warn(`spareWorkers="${count}" is ignored: this was cannot start spare worker processes`);
  };

  // Each pool's configuration (configuration isolation) as its next worker gets it: kept until the
  // configuration changes, and computed ahead for the started pools that have no worker yet (the next
  // request demand-starts one), one pool per event-loop turn, once pools have started and after each
  // change — it parses applicationHost.config, which a demand start would otherwise pay before its spawn
  // (docs/performance.md, "Demand start without a spare: the wall-clock path").
  let poolTexts: { model: ApplicationHostConfig; text: string; byPool: Map<string, string> } | null = null;
  const poolConfiguration = (name: string): string | null => {
    if (configText === null) return null;
    if (poolTexts?.model !== config || poolTexts.text !== configText) poolTexts = { model: config, text: configText, byPool: new Map() };
    const key = name.toLowerCase();
    let text = poolTexts.byPool.get(key);
    if (text === undefined) {
      text = poolConfigurationText({ model: config, text: configText }, name);
      poolTexts.byPool.set(key, text);
    }
    return text;
  };
  let preparing: NodeJS.Immediate | null = null;
  const preparePoolConfigurations = (): void => {
    if (preparing || configText === null) return;
    const names = [...pools.values()].filter((pool) => pool.state === 'Started' && pool.activeWorkers.length === 0).map((pool) => pool.configuration.name);
    const next = (): void => {
      preparing = null;
      const name = names.shift();
      if (name === undefined || shuttingDown) return;
      try {
        const text = poolConfiguration(name);
        const pool = pools.get(name.toLowerCase());
        // Its folder and file too, while the pool still has no worker (a worker's start writes its own).
        if (text !== null && pool?.state === 'Started' && pool.activeWorkers.length === 0) options.spawner.prepareAhead?.(pool.configuration, text);
      } catch (error) {
        logger.debug({ err: error, pool: name }, `the configuration of application pool '${name}' could not be prepared ahead`);
      }
      preparing = setImmediate(next);
    };
    preparing = setImmediate(next);
  };

  const pools = new Map<string, ApplicationPool>();
  const createPool = (poolConfig: ApplicationPoolConfig): ApplicationPool =>
    new ApplicationPool({
      config: poolConfig,
      spawner,
      clock,
      logger,
      eventLog,
      memorySampler: options.memorySampler ?? procMemorySampler,
      nextWorkerId: () => String(nextWorkerId++),
      cgroups: options.cgroups ?? null,
      poolConfiguration,
      ...(options.cpuResetIntervalMs !== undefined ? { cpuResetIntervalMs: options.cpuResetIntervalMs } : {}),
      publishQueueState: (state) => {
        if (!shuttingDown) listenerAdapters.publishQueueState(state);
      },
      publishListenerChannelAvailable: (name) => {
        if (!shuttingDown) listenerAdapters.publishListenerChannelAvailable(name);
      },
      listenerProtocols: (name) => applicationPoolProtocols(config, name),
    });
  for (const poolConfig of config.applicationPools) pools.set(poolConfig.name.toLowerCase(), createPool(poolConfig));
  reportIgnoredApplications(eventLog, null, config);
  reportNotHonouredSettings(logger, null, config);
  const queueStates = () => [...pools.values()].map((pool) => pool.queueState());

  const handlers = wasHandlers({
    pools,
    listenerAdapters,
    eventLog,
    logger,
    configuration: () => config,
    configurationState: () => source.current,
    queueStates,
    shuttingDown: () => shuttingDown,
    startedAt: new Date(clock.now()).toISOString(),
    spareWorkers: () => (spareWorkers && spareWorkers.configured > 0 ? spareWorkers.waitingPids : undefined),
    spareWorkerCounters: () =>
      spareWorkers && (spareWorkers.configured > 0 || spareWorkers.assigned > 0)
        ? { configured: spareWorkers.configured, waiting: spareWorkers.waitingPids.length, totalAssigned: spareWorkers.assigned }
        : undefined,
  });

  const reconfigure = async (next: ApplicationHostConfig, nextText: string | null = null): Promise<boolean> => {
    if (shuttingDown) return false;
    const previous = config;
    const previousText = configText;
    // Workers started while the change is applied (a pool's replacements, a new pool's first worker)
    // read their pool's configuration from here: it must already be the new one.
    config = next;
    configText = nextText;
    try {
      const diff = await applyConfiguration(
        {
          pools,
          logger,
          createPool,
          retirePool: (pool) => {
            const done = pool.shutdown({ kind: 'applicationPoolRemoved' }, 'removed from the configuration').finally(() => retiring.delete(done));
            retiring.add(done);
          },
          publishSiteConfiguration: (applied) => listenerAdapters.publishSiteConfiguration((protocol) => buildSiteConfiguration(applied, queueStates(), protocol)),
        },
        previous,
        next,
      );
      reportIgnoredApplications(eventLog, previous, next);
      reportNotHonouredSettings(logger, previous, next);
      keepSpares(next);
      options.listenerAdaptersRequired?.(listenerAdaptersToStart(next));
      if (diff.hasChanges) logger.info({ file: next.file }, `configuration change applied: ${describeDiff(diff)}`);
      preparePoolConfigurations();
      return true;
    } catch (error) {
      config = previous;
      configText = previousText;
      logger.error({ err: error, file: next.file }, `configuration change could not be applied; the running configuration stays in force: ${error instanceof Error ? error.message : String(error)}`);
      return false;
    }
  };

  const applicationHostChanged = async (text: string): Promise<boolean> => {
    let next: ApplicationHostConfig;
    try {
      next = parseApplicationHostConfig(text, config.file, { configDirectory });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      source.unusable(describeSharedConfigurationProblem(config.file, error), error.line);
      logger.error(
        { configError: { file: error.file, line: error.line, column: error.column, code: error.code }, issues: error.issues.map(formatIssue) },
        `The configuration file '${error.file}' could not be applied; the running configuration stays in force (last known good): ${formatIssue(error.issues[0]!)}`,
      );
      return false;
    }
    const applied = await reconfigure(next, text);
    if (applied) source.applied(text);
    return applied;
  };

  const refuseConfiguration = (problem: string, error?: ConfigError): void => {
    logger.error(
      {
        ...(error ? { configError: { file: error.file, line: error.line, column: error.column, code: error.code }, issues: error.issues.map(formatIssue) } : {}),
      },
      `The configuration file '${redirectionConfigPath(source.current.localFile)}' could not be applied; the running configuration stays in force (last known good): ${problem}`,
    );
  };

  // redirection.config changed (created, edited, deleted): the file it names is served from now on, if
  // both load; else the edit is refused and the running configuration stays (redirection-change.ts).
  const redirectionChanged = async (): Promise<boolean> => {
    if (shuttingDown) return false;
    const change = redirectionChange({ localFile: source.current.localFile, current: source.currentRedirection, configDirectory });
    switch (change.kind) {
      case 'unchanged':
        return true;
      case 'refused':
        refuseConfiguration(change.problem, change.error);
        return false;
      case 'polling':
        source.redirected(change.redirection, null);
        if (watcher) await watchApplicationHost();
        return true;
      case 'redirect': {
        if (!(await reconfigure(change.config, change.text))) return false;
        source.redirected(change.redirection, change.text);
        logger.info(
          { file: change.file, generation: source.current.generation, source: source.current.source },
          `redirection.config changed: serving ${change.file}${change.redirection ? ' (shared configuration)' : ''}, generation ${source.current.generation}`,
        );
        // The text in force is what the new watcher compares with, when it reads it the same way (UTF-8).
        if (watcher) await watchApplicationHost(change.utf8 ? change.text : undefined);
        return true;
      }
    }
  };

  /** (Re)starts the watcher of the applicationHost.config served now; `initialText`: the text in force. */
  const watchApplicationHost = async (initialText?: string): Promise<void> => {
    watcher?.close();
    const current: ConfigWatcher = new ConfigWatcher({
      file: source.watchedFile,
      ...(initialText !== undefined ? { initialText } : {}),
      ...(source.pollingPeriodMs !== undefined ? { pollIntervalMs: source.pollingPeriodMs, pollOnly: source.pollOnly } : {}),
      // A change queued before a redirect is dropped once this watcher is replaced.
      applicationHostUnreadable: (error) => inTurn(async () => void (watcher === current && source.unusable(describeSharedConfigurationProblem(source.watchedFile, error)))),
      webConfigFolders: () => [...new Set(config.sites.flatMap((site) => site.applications.flatMap((application) => application.virtualDirectories.map((vdir) => vdir.physicalPath))))],
      applicationHostChanged: (text) => inTurn(async () => void (watcher === current && (await applicationHostChanged(text)))),
      webConfigsChanged,
      logger: logger.child({ component: 'config-watcher' }),
    });
    watcher = current;
    await current.start();
    const polling = source.pollingPeriodMs !== undefined ? ` (polled every ${source.pollingPeriodMs / 1000} s${source.pollOnly ? ', not watched: enableUncPolling' : ''})` : '';
    logger.info({ file: source.watchedFile, generation: source.current.generation, source: source.current.source }, `watching ${source.watchedFile}${polling} and the web.config files of its virtual directories`);
  };

  const webConfigsChanged = async (files: string[]): Promise<void> => {
    if (shuttingDown) return;
    for (const [name, causes] of applicationPoolsToRecycle(config, files, logger)) {
      const pool = pools.get(name.toLowerCase());
      if (!pool) continue;
      logger.info({ pool: pool.name, files: causes }, `application pool '${pool.name}' recycles for a changed web.config: ${causes.join(', ')}`);
      pool.recycle('ConfigChange');
    }
  };

  return {
    eventLog,
    handlers,
    get configuration() {
      return config;
    },
    spareWorkers,
    applicationPool: (name) => pools.get(name.toLowerCase()),
    reconfigure: (next) => reconfigure(next),
    applicationHostChanged,
    webConfigsChanged,
    async start() {
      // Spares boot beside the autoStart pools; a pool's start that finds none booted yet starts cold.
      keepSpares(config);
      for (const pool of pools.values()) {
        if (pool.configuration.autoStart) await pool.start('autoStart');
      }
      logger.info({ applicationPools: pools.size }, `the Windows Process Activation Service started with ${pools.size} application pools`);
      preparePoolConfigurations();
      if (options.watchConfiguration) {
        await watchApplicationHost();
        // redirection.config is local (beside the local applicationHost.config): notifications suffice.
        redirectionWatcher = new ConfigWatcher({
          file: redirectionConfigPath(source.current.localFile),
          webConfigFolders: () => [],
          applicationHostChanged: () => inTurn(redirectionChanged).then(() => undefined),
          // Deleted: the local file is served again; unreadable otherwise: refused (redirection-change.ts).
          applicationHostUnreadable: () => inTurn(redirectionChanged).then(() => undefined),
          webConfigsChanged: async () => undefined,
          logger: logger.child({ component: 'config-watcher' }),
        });
        await redirectionWatcher.start();
      }
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
      if (preparing) clearImmediate(preparing);
      watcher?.close();
      redirectionWatcher?.close();
      logger.info('the Windows Process Activation Service is stopping; stopping every worker process');
      await Promise.all([...[...pools.values()].map((pool) => pool.shutdown()), ...retiring, ...(spareWorkers ? [spareWorkers.stop()] : [])]);
      options.cgroups?.close();
      if (server) {
        server.close();
        for (const client of clients) client.close();
        rmSync(socketPath(options.runDirectory, 'was'), { force: true });
      }
      logger.info('the Windows Process Activation Service stopped');
    },
  };
}
