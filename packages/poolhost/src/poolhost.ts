// poolhost as the Service Control Manager: starts was and the listener adapters the configuration needs
// (httpsys and w3svc for http, nettcpactivator for net.tcp), restarts one that dies,
// answers `poolhost status|stop|drain|undrain` on its socket, and stops everything in order.
import type { Server } from 'node:net';
import { rmSync, writeFileSync } from 'node:fs';
import type { Logger } from '@poolhost/common';
import {
  administrationTokenPath,
  ControlChannel,
  connectControlSocket,
  createIpcTransport,
  listenControlSocket,
  pidFilePath,
  socketPath,
  type ConfigurationState,
  type HandlerTable,
  type ListenerDrained,
  type RecordHostDrain,
  type ListenerDrainState,
  type ServerStatus,
  type WorkerProcessInfo,
} from '@poolhost/protocol';
import { systemClock, type Clock } from '@poolhost/common';
import type { ListenerProtocol } from '@poolhost/config';
import type { LaunchedService, ServiceLauncher, ServiceName } from './services/service-launcher.js';
import { ServiceSupervisor, type RestartPolicy } from './services/service-supervisor.js';
import { ListenSocketTable } from './listen-sockets/listen-socket-table.js';

export interface PoolhostOptions {
  configFile: string;
  runDirectory: string;
  logger: Logger;
  launcher: ServiceLauncher;
  /** How long was may take to drain its workers: the longest shutdownTimeLimit plus a margin. */
  wasStopTimeoutMs: number;
  serviceStopTimeoutMs?: number;
  clock?: Clock;
  restartPolicy?: RestartPolicy;
  /** The listening sockets held for httpsys (with systemd's, when socket-activated); a new table if absent. */
  listenSockets?: ListenSocketTable;
  onLaunched?(name: ServiceName, service: LaunchedService): void;
  /** `--metrics`: inetmgr is started (after was) and stopped (first) with the services; its URL is shown by status. */
  administration?: { url: string };
  /** `<automaticCertificates>`: the ACME client, started with the services and stopped first. */
  automaticCertificates?: { start(): void; stop(): Promise<void> };
  /**
   * The listener adapters to run (listenerAdaptersToStart): `http` starts httpsys and w3svc, `net.tcp` the
   * net.tcp activator. Absent: http alone.
   */
  listenerAdapters?: readonly ListenerProtocol[];
  /** webManagement's drainDelay and drainTimeLimit, read when a drain names no delay or time limit. */
  drainDefaults?(): DrainSettings;
  /** Asks was for its workers and its configuration generation (for ServerStatus); injectable for tests. */
  listWorkers?(): Promise<{ workers: WorkerProcessInfo[]; spareWorkers?: number[]; configuration?: ConfigurationState }>;
}

export interface DrainSettings {
  delayMs: number;
  timeLimitMs: number;
}

/** Without configuration: 5 s for the balancers to notice, 90 s for what is in flight (shutdownTimeLimit's default). */
export const defaultDrainSettings: DrainSettings = { delayMs: 5_000, timeLimitMs: 90_000 };

/** Beyond the drain's own delay and time limit, how long httpsys may take to answer. */
const drainAnswerMarginMs = 30_000;

export interface Poolhost {
  readonly handlers: HandlerTable;
  start(): Promise<void>;
  /** Stops was (which drains its workers), then w3svc and httpsys; resolves when all have exited. */
  stop(reason: string): Promise<void>;
  /** Resolves once poolhost has stopped, whoever asked. */
  readonly stopped: Promise<void>;
  status(): Promise<ServerStatus>;
}

/**
 * Services start in this order: the listener adapters' listeners first (httpsys, the net.tcp activator)
 * so was can connect worker data sockets to them; inetmgr, when asked for, last.
 */
function serviceNamesFor(adapters: readonly ListenerProtocol[], administration: boolean): ServiceName[] {
  return [
    ...(adapters.includes('http') ? (['httpsys', 'w3svc'] as const) : []),
    ...(adapters.includes('net.tcp') ? (['nettcpactivator'] as const) : []),
    'was',
    ...(administration ? (['inetmgr'] as const) : []),
  ];
}

export function createPoolhost(options: PoolhostOptions): Poolhost {
  const clock = options.clock ?? systemClock;
  const serviceNames = serviceNamesFor(options.listenerAdapters ?? ['http'], options.administration !== undefined);
  const { logger, runDirectory } = options;
  const listenSockets = options.listenSockets ?? new ListenSocketTable(logger.child({ component: 'listen-sockets' }));
  const supervisorOf = (name: ServiceName): ServiceSupervisor =>
    new ServiceSupervisor({
      name,
      launcher: options.launcher,
      clock,
      logger,
      ...(options.restartPolicy ? { policy: options.restartPolicy } : {}),
      onLaunched: (service) => {
        if (name === 'httpsys') serveListenSockets(service);
        if (name === 'was') hearWas(service);
        options.onLaunched?.(name, service);
      },
    });
  const supervisors = new Map<ServiceName, ServiceSupervisor>(serviceNames.map((name) => [name, supervisorOf(name)]));
  const clients = new Set<ControlChannel>();
  let server: Server | null = null;
  let stopping: Promise<void> | null = null;
  let resolveStopped!: () => void;
  const stopped = new Promise<void>((resolve) => (resolveStopped = resolve));

  // Each httpsys asks on its IPC channel for the sockets of its endpoints, and gets the held ones back.
  const serveListenSockets = (service: LaunchedService): void => {
    if (!service.ipc) return;
    new ControlChannel(createIpcTransport(service.ipc), {
      peer: `httpsys ${service.pid}`,
      handlers: listenSockets.handlers(),
      onProtocolError: (error) => logger.warn({ err: error }, `httpsys: ${error.message}`),
    });
  };

  // was says, after each configuration change, which listener adapters it needs: the net.tcp activator is
  // started when the first net.tcp binding appears and stopped when the last one goes (http's pair is chosen
  // at start). `started` guards against a change heard while poolhost starts or stops.
  let started = false;
  const netTcpAdapter = (needed: boolean): void => {
    if (!started || stopping) return;
    const running = supervisors.get('nettcpactivator');
    if (needed && !running) {
      logger.info('the configuration now has net.tcp bindings: starting nettcpactivator');
      const supervisor = supervisorOf('nettcpactivator');
      supervisors.set('nettcpactivator', supervisor);
      supervisor.start();
    } else if (!needed && running) {
      logger.info('the configuration has no net.tcp binding left: stopping nettcpactivator');
      supervisors.delete('nettcpactivator');
      void running.stop(options.serviceStopTimeoutMs ?? 10_000);
    }
  };
  const hearWas = (service: LaunchedService): void => {
    if (!service.ipc) return;
    new ControlChannel(createIpcTransport(service.ipc), {
      peer: `was ${service.pid}`,
      handlers: { ListenerAdaptersRequired: (message) => netTcpAdapter(message.protocols.includes('net.tcp')) },
      onProtocolError: (error) => logger.warn({ err: error }, `was: ${error.message}`),
    });
  };

  const listWorkers =
    options.listWorkers ??
    (async () => {
      const channel = await connectControlSocket(socketPath(runDirectory, 'was'), { peer: 'was', handlers: {} }, 1_000);
      try {
        const [reply, served] = await Promise.all([
          channel.request({ type: 'ListWorkerProcesses' }, 2_000),
          channel.request({ type: 'GetConfigurationFile' }, 2_000),
        ]);
        return { ...reply, ...(served.configuration ? { configuration: served.configuration } : {}) };
      } finally {
        channel.close();
      }
    });

  const status = async (): Promise<ServerStatus> => {
    let workers: WorkerProcessInfo[] = [];
    let spareWorkers: number[] | undefined;
    let configuration: ConfigurationState | undefined;
    try {
      ({ workers, spareWorkers, configuration } = await listWorkers());
    } catch (error) {
      logger.debug({ err: error }, 'was did not list its workers');
    }
    return {
      type: 'ServerStatus',
      pid: process.pid,
      configFile: options.configFile,
      runDirectory,
      services: [...supervisors.values()].map((supervisor) => supervisor.status()),
      workers,
      ...(spareWorkers ? { spareWorkers } : {}),
      ...(options.administration ? { administration: options.administration } : {}),
      ...(configuration ? { configuration } : {}),
      ...(drainState !== 'Serving' ? { drain: drainState } : {}),
    };
  };

  // `poolhost drain`: httpsys does it (it owns the sockets and connections); poolhost keeps the host's
  // state for `poolhost status` and stops afterwards when asked to.
  let drainState: ListenerDrainState = 'Serving';
  const askHttpSys = async <R>(ask: (channel: ControlChannel) => Promise<R>): Promise<R> => {
    // httpsys announces activation (WorkerDemanded) on every control connection; this one ignores it.
    const channel = await connectControlSocket(socketPath(runDirectory, 'httpsys'), { peer: 'httpsys', handlers: {}, onProtocolError: () => undefined }, 2_000);
    try {
      return await ask(channel);
    } finally {
      channel.close();
    }
  };
  // The drain's steps go to the event log, which was keeps. They are written one after the other (the
  // journal keeps their order) and in the background: a was slow to answer on a loaded host delays the
  // line, not the drain's reply; a was that does not answer at all costs the line (warned), not the drain.
  let drainRecords: Promise<void> = Promise.resolve();
  const recordDrain = (record: Omit<RecordHostDrain, 'type'>): Promise<void> => {
    drainRecords = drainRecords.then(async () => {
      try {
        const channel = await connectControlSocket(socketPath(runDirectory, 'was'), { peer: 'was', handlers: {} }, 5_000);
        try {
          await channel.request({ type: 'RecordHostDrain', ...record }, 10_000);
        } finally {
          channel.close();
        }
      } catch (error) {
        logger.warn({ err: error }, `poolhost drain: the event log did not take the ${record.step} step: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
    return drainRecords;
  };
  const drain = async (message: { delayMs?: number; timeLimitMs?: number; stop: boolean }): Promise<ListenerDrained> => {
    const defaults = options.drainDefaults?.() ?? defaultDrainSettings;
    const delayMs = message.delayMs ?? defaults.delayMs;
    const timeLimitMs = message.timeLimitMs ?? defaults.timeLimitMs;
    const before = drainState;
    if (drainState === 'Serving') drainState = 'Draining';
    logger.info({ delayMs, timeLimitMs }, `poolhost drain: the health answers say drain; new connections are refused in ${delayMs} ms, then connections have ${timeLimitMs} ms to finish`);
    // In parallel with the drain itself (the balancers must hear of it at once), and before its end.
    if (before === 'Serving') void recordDrain({ step: 'Draining', delayMs, timeLimitMs });
    let result: ListenerDrained;
    try {
      result = await askHttpSys((channel) => channel.request({ type: 'DrainListener', delayMs, timeLimitMs }, delayMs + timeLimitMs + drainAnswerMarginMs));
    } catch (error) {
      // httpsys did not take it (not running, restarting): status must not claim a drain.
      if (drainState === 'Draining') drainState = before;
      logger.error({ err: error }, `poolhost drain failed: ${error instanceof Error ? error.message : String(error)}`);
      throw error;
    }
    if (result.state !== 'Drained') {
      logger.info('poolhost drain: undrained before it ended');
      return result;
    }
    drainState = 'Drained';
    const text = `host drained in ${result.elapsedMs} ms: ${result.connectionsAtClose} client connections were open when the listeners closed, ${result.connectionsCut} cut at the deadline`;
    if (result.connectionsCut > 0) logger.warn(result, text);
    else logger.info(result, text);
    void recordDrain({ step: 'Drained', elapsedMs: result.elapsedMs, connectionsAtClose: result.connectionsAtClose, connectionsCut: result.connectionsCut });
    if (!message.stop) return result;
    // Once the event log has the drain's lines (was stops with the rest).
    void drainRecords.then(() => stop('poolhost drain --stop'));
    return { ...result, stopping: true };
  };
  const undrain = async (): Promise<void> => {
    await askHttpSys((channel) => channel.request({ type: 'ResumeListener' }, 10_000));
    if (drainState !== 'Serving') {
      logger.info('poolhost undrain: listening on the bindings again; the health answers say ready');
      await recordDrain({ step: 'Undrained' });
    }
    drainState = 'Serving';
  };

  const stop = (reason: string): Promise<void> => {
    if (stopping) return stopping;
    stopping = (async () => {
      logger.info(`${reason}: stopping poolhost`);
      await options.automaticCertificates?.stop();
      await supervisors.get('inetmgr')?.stop(options.serviceStopTimeoutMs ?? 10_000);
      // was first: it drains every worker within its pool's shutdownTimeLimit while the listener still carries their responses.
      await supervisors.get('was')!.stop(options.wasStopTimeoutMs);
      const serviceStopTimeoutMs = options.serviceStopTimeoutMs ?? 10_000;
      await Promise.all(
        (['w3svc', 'httpsys', 'nettcpactivator'] as const).map((name) => supervisors.get(name)?.stop(serviceStopTimeoutMs)),
      );
      listenSockets.closeAll();
      server?.close();
      for (const client of clients) client.close();
      rmSync(socketPath(runDirectory, 'poolhost'), { force: true });
      rmSync(pidFilePath(runDirectory), { force: true });
      if (options.administration) rmSync(administrationTokenPath(runDirectory), { force: true });
      logger.info('poolhost stopped');
      resolveStopped();
    })();
    return stopping;
  };

  const handlers: HandlerTable = {
    GetServerStatus: () => status(),
    StopServer: () => {
      // Answer first; the client then waits for this connection to close when poolhost exits.
      setImmediate(() => void stop('poolhost stop'));
      return { type: 'Acknowledged', detail: 'stopping' };
    },
    DrainServer: (message) => drain(message),
    UndrainServer: async () => {
      await undrain();
      return { type: 'Acknowledged', detail: 'serving' };
    },
  };

  return {
    handlers,
    stopped,
    status,
    stop,
    async start() {
      writeFileSync(pidFilePath(runDirectory), `${process.pid}\n`, { mode: 0o600 });
      server = await listenControlSocket(
        socketPath(runDirectory, 'poolhost'),
        () => ({ peer: 'poolhost client', handlers, onProtocolError: (error) => logger.warn({ err: error }, error.message) }),
        (channel) => {
          clients.add(channel);
          channel.onClose(() => clients.delete(channel));
        },
      );
      for (const name of serviceNames) supervisors.get(name)!.start();
      started = true;
      options.automaticCertificates?.start();
      logger.info({ configFile: options.configFile, runDirectory }, `poolhost started (config ${options.configFile}, run directory ${runDirectory})`);
    },
  };
}
