// w3wp: `node w3wp.js -ap "<pool>" [-h "<pool>.config"]` with APP_POOL_ID, APP_POOL_CONFIG (its pool's
// own configuration; POOLHOST_CONFIG names applicationHost.config where there is none), POOLHOST_RUN_DIR,
// POOLHOST_WORKER_ID and optionally POOLHOST_DATA_FD (see docs/data-plane.md for the contract).
import { createLogger, runService, type ServiceLifecycle } from '@poolhost/common';
import { resolveRunDirectory } from '@poolhost/protocol';
import { createWorkerProcess, type WorkerProcess } from './worker-process.js';
import { WorkerExitCode } from './exit-codes.js';

const argv = process.argv.slice(2);
const apIndex = argv.indexOf('-ap');
const applicationPool = (apIndex >= 0 ? argv[apIndex + 1] : undefined) ?? process.env.APP_POOL_ID ?? '';
process.title = `poolhost: w3wp ${applicationPool}`;
const workerId = process.env.POOLHOST_WORKER_ID ?? String(process.pid);
const configIndex = argv.indexOf('-h');
// Configuration isolation (IIS's `w3wp -h <pool>.config`): the pool's own file, else applicationHost.config.
const configFile = (configIndex >= 0 ? argv[configIndex + 1] : undefined) ?? process.env.APP_POOL_CONFIG ?? process.env.POOLHOST_CONFIG;
const logger = createLogger({ service: 'w3wp', bindings: { pool: applicationPool, workerId } });

if (!applicationPool || !configFile) {
  const message = 'w3wp needs -ap "<pool>" (or APP_POOL_ID) and -h "<pool>.config" (or APP_POOL_CONFIG, or POOLHOST_CONFIG)';
  logger.error(message);
  process.send?.({ message: { type: 'WorkerStartupFailed', message } }, () => process.exit(WorkerExitCode.Failed));
  if (!process.send) process.exit(WorkerExitCode.Failed);
} else {
  let worker: WorkerProcess | null = null;
  let lifecycle: ServiceLifecycle | null = null;
  // Application code that throws ends the process, as it would under plain Node — after a 500 for the
  // requests that have not started their response. was counts the crash.
  process.on('uncaughtException', (error) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    if (worker) worker.crash(error);
    else if (lifecycle) lifecycle.exit(WorkerExitCode.Failed);
    else process.exit(WorkerExitCode.Failed);
  });
  const dataFd = process.env.POOLHOST_DATA_FD ? Number(process.env.POOLHOST_DATA_FD) : undefined;
  const capacity = Number(process.env.POOLHOST_WORKER_CAPACITY ?? 1000) || 1000;
  // runService installs SIGTERM and SIGINT at once: without a handler the signal's default action would
  // kill a worker that has just reported ready but whose start has not resolved yet, without draining.
  // A worker still starting has taken no request and just exits (WorkerExitCode.Stopped).
  // was's IPC channel is the worker's control channel: the worker stops itself when it closes.
  void runService({
    name: 'w3wp',
    logger,
    stopWhenParentGone: false,
    reportsOwnStartFailure: true,
    create: async (started) => {
      lifecycle = started;
      worker = await createWorkerProcess({
        applicationPool,
        configFile,
        ...(process.env.POOLHOST_CONFIG_DIRECTORY ? { configDirectory: process.env.POOLHOST_CONFIG_DIRECTORY } : {}),
        runDirectory: resolveRunDirectory(undefined),
        workerId,
        dataFd,
        capacity,
        ipc: process.send ? process : null,
        logger,
        exit: started.exit,
      });
      return worker;
    },
    stop: (started, signal) => started.stop(signal, started.configuredShutdownTimeLimit),
  }).then((code) => process.exit(code));
}
