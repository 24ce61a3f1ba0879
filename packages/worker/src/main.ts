// w3wp: `node w3wp.js -ap "<pool>" [-h "<pool>.config"]` with APP_POOL_ID, APP_POOL_CONFIG (its pool's
// own configuration; POOLHOST_CONFIG names applicationHost.config where there is none), POOLHOST_RUN_DIR,
// POOLHOST_WORKER_ID, POOLHOST_CONTROL_FD (its control connection to was) and optionally POOLHOST_DATA_FD
// (see docs/data-plane.md and docs/process-model.md for the contract).
// With POOLHOST_SPARE=1 it is a spare: booted, bound to no pool, until was assigns it one (the arguments
// and environment above arrive then; see spare-worker/spare-worker.ts and docs/process-model.md).
import { startupMark } from '@poolhost/common/startup-trace';
import { stat as statCallback } from 'node:fs';
import { Socket } from 'node:net';
import { createLogger, runService, type Logger, type ServiceLifecycle } from '@poolhost/common';
import { createSocketTransport, resolveRunDirectory } from '@poolhost/protocol';
import { createWorkerProcess, type WorkerProcess } from './worker-process.js';
import { WorkerExitCode } from './exit-codes.js';
import { waitForAssignment, type SpareAssignment } from './spare-worker/spare-worker.js';

/** What a worker is started with, read from its arguments and environment (a spare's, once assigned). */
function workerSettings() {
  const argv = process.argv.slice(2);
  const apIndex = argv.indexOf('-ap');
  const configIndex = argv.indexOf('-h');
  const applicationPool = (apIndex >= 0 ? argv[apIndex + 1] : undefined) ?? process.env.APP_POOL_ID ?? '';
  return {
    applicationPool,
    workerId: process.env.POOLHOST_WORKER_ID ?? String(process.pid),
    // Configuration isolation (IIS's `w3wp -h <pool>.config`): the pool's own file, else applicationHost.config.
    configFile: (configIndex >= 0 ? argv[configIndex + 1] : undefined) ?? process.env.APP_POOL_CONFIG ?? process.env.POOLHOST_CONFIG,
    dataFd: process.env.POOLHOST_DATA_FD ? Number(process.env.POOLHOST_DATA_FD) : undefined,
    netTcpFd: process.env.POOLHOST_NET_TCP_FD ? Number(process.env.POOLHOST_NET_TCP_FD) : undefined,
    capacity: Number(process.env.POOLHOST_WORKER_CAPACITY ?? 1000) || 1000,
  };
}

/**
 * was's control connection: one end of a Unix socket pair, inherited on POOLHOST_CONTROL_FD, carrying
 * newline-delimited JSON. Not Node's IPC channel (`stdio: 'ipc'`), whose set-up runs in every worker's boot
 * before its first line (docs/performance.md, "Demand start: what NODE_EXTRA_CA_CERTS hides"), and which
 * would hand the application `process.send`, a line to was it has no business writing on. Until a
 * transport reads it, what was sends waits in the socket.
 */
const controlSocket = process.env.POOLHOST_CONTROL_FD ? new Socket({ fd: Number(process.env.POOLHOST_CONTROL_FD), readable: true, writable: true }) : null;

startupMark('w3wp bundle evaluated');
const spare = process.env.POOLHOST_SPARE === '1';
const initial = workerSettings();
process.title = spare ? 'poolhost: w3wp (spare)' : `poolhost: w3wp ${initial.applicationPool}`;
// A spare's logger gets its pool and worker id on assignment (pino setBindings).
const logger: Logger = createLogger({ service: 'w3wp', bindings: spare ? { spare: 1 } : { pool: initial.applicationPool, workerId: initial.workerId } });

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

if (!spare && (!initial.applicationPool || !initial.configFile)) {
  const message = 'w3wp needs -ap "<pool>" (or APP_POOL_ID) and -h "<pool>.config" (or APP_POOL_CONFIG, or POOLHOST_CONFIG)';
  logger.error(message);
  if (controlSocket) {
    createSocketTransport(controlSocket).send({ message: { type: 'WorkerStartupFailed', message } });
    // Once the line has reached was's end.
    controlSocket.end(() => process.exit(WorkerExitCode.Failed));
  } else {
    process.exit(WorkerExitCode.Failed);
  }
} else {
  // runService installs SIGTERM and SIGINT at once: without a handler the signal's default action would
  // kill a worker that has just reported ready but whose start has not resolved yet, without draining.
  // A worker still starting (or a spare still waiting) has taken no request and just exits (WorkerExitCode.Stopped).
  // The worker stops itself when its control connection to was closes.
  void runService({
    name: 'w3wp',
    logger,
    stopWhenParentGone: false,
    reportsOwnStartFailure: true,
    create: async (started) => {
      lifecycle = started;
      // libuv starts its thread pool at the first asynchronous fs, dns or zlib call, and aborts the
      // process (SIGABRT) when it cannot create those threads then. An application that forks up to its
      // pool's taskLimit (pids.max) would make that first call come later, mid-request, and kill the
      // worker; one asynchronous call now, before any application code runs, starts them while the pool
      // has room (an application loaded with `require` makes none of its own). libuv creates the threads
      // (and waits until each has started) inside that first call, so its result is not awaited.
      statCallback(process.execPath, () => undefined);
      let assignment: SpareAssignment | null = null;
      if (spare) {
        if (initial.dataFd === undefined || !controlSocket) {
          const message = 'a spare w3wp needs POOLHOST_DATA_FD and POOLHOST_CONTROL_FD';
          logger.error(message);
          throw new Error(message);
        }
        const dataSocket = new Socket({ fd: initial.dataFd, readable: true, writable: true });
        assignment = await waitForAssignment({ control: createSocketTransport(controlSocket), dataSocket, logger, exit: started.exit });
      }
      const settings = assignment ? workerSettings() : initial;
      if (!settings.configFile) {
        const message = `application pool '${settings.applicationPool}' was assigned without a configuration file`;
        logger.error(message);
        throw new Error(message);
      }
      worker = await createWorkerProcess({
        applicationPool: settings.applicationPool,
        configFile: settings.configFile,
        ...(process.env.POOLHOST_CONFIG_DIRECTORY ? { configDirectory: process.env.POOLHOST_CONFIG_DIRECTORY } : {}),
        runDirectory: resolveRunDirectory(undefined),
        workerId: settings.workerId,
        dataFd: settings.dataFd,
        ...(settings.netTcpFd !== undefined ? { netTcpFd: settings.netTcpFd } : {}),
        ...(assignment ? { channel: assignment.channel, dataSocket: assignment.dataSocket } : {}),
        capacity: settings.capacity,
        control: controlSocket && !assignment ? createSocketTransport(controlSocket) : null,
        logger,
        exit: started.exit,
      });
      return worker;
    },
    stop: (started, signal) => started.stop(signal, started.configuredShutdownTimeLimit),
  }).then((code) => process.exit(code));
}
