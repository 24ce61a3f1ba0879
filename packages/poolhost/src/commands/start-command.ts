// `poolhost start`: validate the configuration, take the run directory, run in the foreground.
import { existsSync, readFileSync } from 'node:fs';
import { createLogger, isProcessAlive, protectFromOomKiller, runService, ServiceExitCode } from '@poolhost/common';
import { LISTENER_ADAPTER_PROTOCOLS, listenerAdapterNames, listenerAdaptersToStart, loadServedConfiguration, readConfigurationRedirection, sslStorePath, type ApplicationHostConfig } from '@poolhost/config';
import { AutomaticCertificates } from '../automatic-certificates/automatic-certificates.js';
import { connectUnixSocket, createAdministrationToken, ensureRunDirectory, formatListenAddress, pidFilePath, socketPath, type ListenAddress } from '@poolhost/protocol';
import { administrationAddressOf, farmHealthOf, type FarmHealthSettings } from './administration-option.js';
import { createLogOutput } from '../output/log-output.js';
import { createPoolhost, defaultDrainSettings, type DrainSettings } from '../poolhost.js';
import { createChildProcessServiceLauncher } from '../services/service-launcher.js';
import { formatConfigError } from './config-error.js';
import { ListenSocketTable } from '../listen-sockets/listen-socket-table.js';
import { takeSystemdListenFds } from '../listen-sockets/systemd-listen-fds.js';
import { assertTcpListenHandlesAvailable } from '../listen-sockets/tcp-listen-handle.js';

export interface StartCommandOptions {
  configFile: string;
  runDirectory: string;
  /** `--metrics IP:port`: start inetmgr there. */
  metrics?: string;
  metricsRemote?: boolean;
}

/** Margin on top of the longest shutdownTimeLimit before poolhost kills was itself. */
const wasStopMarginMs = 15_000;

export async function runStartCommand(options: StartCommandOptions): Promise<number> {
  let config: ApplicationHostConfig;
  try {
    // With redirection.config, the shared file (or, the share being unusable, the cached copy of it).
    const served = loadServedConfiguration(options.configFile);
    config = served.config;
    if (served.source === 'cached') {
      process.stderr.write(`poolhost: ${served.problem}; starting on the cached copy of the shared configuration (generation ${served.generation})\n`);
    }
  } catch (error) {
    process.stderr.write(`poolhost: invalid configuration: ${formatConfigError(error)}\n`);
    return 1;
  }
  let administration: ListenAddress | undefined;
  let farmHealth: FarmHealthSettings | undefined;
  try {
    administration = administrationAddressOf(options.metrics, options.metricsRemote ?? false, config);
    if (administration) farmHealth = farmHealthOf(administration, config);
    ensureRunDirectory(options.runDirectory);
  } catch (error) {
    process.stderr.write(`poolhost: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  const running = await runningInstance(options.runDirectory);
  if (running) {
    process.stderr.write(`poolhost: already running (pid ${running}) with run directory ${options.runDirectory}\n`);
    return 1;
  }

  process.title = 'poolhost';
  // Inherited by httpsys, w3svc and was; was gives each worker a high score instead.
  protectFromOomKiller();
  let administrationUrl: string | undefined;
  if (administration) {
    // Printed once, before any log line: the token is needed for the dashboard's buttons and the API's actions.
    const token = createAdministrationToken(options.runDirectory);
    administrationUrl = `http://${formatListenAddress(administration)}/`;
    process.stdout.write(`poolhost: dashboard and status API at ${administrationUrl} (Prometheus: ${administrationUrl}metrics)\n`);
    process.stdout.write(`poolhost: administration token ${token} (also in ${options.runDirectory}/administration.token); open ${administrationUrl}#token=${token}\n`);
  }
  const output = createLogOutput();
  const logger = createLogger({ service: 'poolhost', destination: output.stream });
  // Socket activation: systemd's sockets are held like the ones poolhost opens (docs/listener.md).
  const listenSockets = new ListenSocketTable(logger.child({ component: 'listen-sockets' }));
  try {
    assertTcpListenHandlesAvailable();
    listenSockets.adoptSystemdSockets(takeSystemdListenFds(process.env, process.pid));
  } catch (error) {
    listenSockets.closeAll();
    process.stderr.write(`poolhost: socket activation: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  const listenerAdapters = listenerAdaptersToStart(config);
  const foreignAdapters = listenerAdapterNames(config).filter((name) => !(LISTENER_ADAPTER_PROTOCOLS as readonly string[]).includes(name));
  if (foreignAdapters.length > 0) {
    logger.warn({ adapters: foreignAdapters }, `listenerAdapters ${foreignAdapters.join(', ')}: poolhost has no listener adapter for them (it has http and net.tcp); their bindings are kept and nothing listens on them`);
  }
  logger.info({ listenerAdapters }, `listener adapters: ${listenerAdapters.join(', ') || 'none'}`);
  const longestShutdown = Math.max(0, ...config.applicationPools.map((pool) => pool.processModel.shutdownTimeLimit));
  return runService({
    name: 'poolhost',
    logger,
    signals: ['SIGINT', 'SIGTERM', 'SIGHUP'],
    // Stops its children when asked while it is still starting them.
    create: ({ exit }) => {
      const poolhost = createPoolhost({
        configFile: options.configFile,
        runDirectory: options.runDirectory,
        logger,
        launcher: createChildProcessServiceLauncher({
          configFile: options.configFile,
          runDirectory: options.runDirectory,
          ...(administration && farmHealth ? { administrationAddress: formatListenAddress(administration), farmHealth } : {}),
        }),
        ...(administrationUrl ? { administration: { url: administrationUrl } } : {}),
        wasStopTimeoutMs: longestShutdown + wasStopMarginMs,
        listenerAdapters,
        drainDefaults: () => drainSettingsOf(options.configFile, config),
        listenSockets,
        ...(config.automaticCertificates
          ? {
              automaticCertificates: new AutomaticCertificates({
                // The local file: redirection.config beside it is followed at every check, as was follows it.
                configFile: options.configFile,
                followRedirection: true,
                // Beside the local file, where httpsys reads the SSL store (POOLHOST_CONFIG).
                storeFile: sslStorePath(options.configFile),
                runDirectory: options.runDirectory,
                // A farm's hosts answer challenges from the share: the CA's validation may reach any of them.
                sharedFolder: readConfigurationRedirection(options.configFile)?.path ?? null,
                logger: logger.child({ component: 'acme' }),
              }),
            }
          : {}),
        onLaunched: (name, service) => {
          output.forward(service.stdout, name, 'stdout');
          output.forward(service.stderr, name, 'stderr');
        },
      });
      // `poolhost stop` (StopServer) ends it from inside.
      void poolhost.stopped.then(() => exit(ServiceExitCode.Stopped));
      return poolhost;
    },
    start: (poolhost) => poolhost.start(),
    stop: (poolhost, reason) => poolhost.stop(reason),
    stopWhenParentGone: false,
  });
}

/** The pid of a poolhost that answers on this run directory's socket, if any. */
async function runningInstance(runDirectory: string): Promise<number | null> {
  const pidFile = pidFilePath(runDirectory);
  if (!existsSync(pidFile)) return null;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return null;
  if (!isProcessAlive(pid)) return null;
  try {
    const socket = await connectUnixSocket(socketPath(runDirectory, 'poolhost'), 1_000);
    socket.destroy();
    return pid;
  } catch {
    return null;
  }
}

/**
 * webManagement's drainDelay and drainTimeLimit as the file says now (an edit since the start counts);
 * a file that no longer loads leaves the values poolhost started with.
 */
/** webManagement's drain settings as the served configuration (the shared file, with redirection.config) says now. */
function drainSettingsOf(configFile: string, started: ApplicationHostConfig): DrainSettings {
  let config = started;
  try {
    config = loadServedConfiguration(configFile).config;
  } catch {
    // The running configuration is the last known good one.
  }
  const webManagement = config.webManagement;
  if (!webManagement) return defaultDrainSettings;
  return { delayMs: webManagement.drainDelay, timeLimitMs: webManagement.drainTimeLimit };
}
