// The real spawner: `node <w3wp bundle> -ap "<pool>"`, with the worker's end of a data-plane
// connection to httpsys inherited as fd 3 and the Node IPC channel as its control channel.
import type { Socket } from 'node:net';
import { execa } from 'execa';
import type { Logger } from '@poolhost/common';
import {
  ControlChannel,
  connectUnixSocket,
  createIpcTransport,
  executablePath,
  socketPath,
  type IpcEndpoint,
} from '@poolhost/protocol';
import { resolveWorkerIdentity } from './worker-identity.js';
import { forwardWorkerOutput } from './worker-output.js';
import { dirname } from 'node:path';
import { ensurePoolTempDirectory } from './pool-temp-directory.js';
import { writePoolConfiguration } from '../isolation/pool-configuration.js';
import { setWorkerOomScore } from '../isolation/oom-score.js';
import type { SpawnedWorker, WorkerExit, WorkerSpawnRequest, WorkerSpawner } from './worker-spawner.js';

/** The worker finds its data-plane connection to httpsys on this inherited file descriptor. */
export const workerDataFd = 3;

export interface ExecaWorkerSpawnerOptions {
  configFile: string;
  runDirectory: string;
  logger: Logger;
  /** Where forwarded worker log lines go (was's stdout). */
  write(line: string): void;
  env?: NodeJS.ProcessEnv;
}

export function createExecaWorkerSpawner(options: ExecaWorkerSpawnerOptions): WorkerSpawner {
  const baseEnv = options.env ?? process.env;
  return {
    async spawn(request: WorkerSpawnRequest): Promise<SpawnedWorker> {
      const pool = request.applicationPool;
      const identity = resolveWorkerIdentity(pool, options.logger);
      const tempDirectory = ensurePoolTempDirectory(options.runDirectory, pool.name, identity);
      // Configuration isolation: the worker reads its pool's file, never applicationHost.config.
      const poolConfigFile = request.poolConfiguration ? writePoolConfiguration(tempDirectory, pool.name, request.poolConfiguration, identity) : null;
      // was opens the data connection, so a worker never needs access to the run directory's listener sockets.
      const dataSocket: Socket = await connectUnixSocket(socketPath(options.runDirectory, 'httpsys-data'));
      const env: NodeJS.ProcessEnv = {
        // The pool's private temp folder, unless its own environmentVariables say otherwise.
        TMPDIR: tempDirectory,
        TEMP: tempDirectory,
        TMP: tempDirectory,
        ...Object.fromEntries(pool.environmentVariables.map((variable) => [variable.name, variable.value])),
        ...(identity && pool.processModel.setProfileEnvironment
          ? { HOME: identity.home, USER: identity.userName, LOGNAME: identity.userName }
          : {}),
        APP_POOL_ID: pool.name,
        ...(poolConfigFile
          ? { APP_POOL_CONFIG: poolConfigFile, POOLHOST_CONFIG_DIRECTORY: dirname(options.configFile) }
          : { POOLHOST_CONFIG: options.configFile }),
        POOLHOST_RUN_DIR: options.runDirectory,
        POOLHOST_WORKER_ID: request.workerId,
        POOLHOST_DATA_FD: String(workerDataFd),
        ...(request.standby ? { POOLHOST_STANDBY: '1' } : {}),
      };
      let subprocess;
      try {
        subprocess = execa(process.execPath, [executablePath('w3wp', baseEnv), '-ap', pool.name, ...(poolConfigFile ? ['-h', poolConfigFile] : [])], {
          env: { ...withoutConfigFile(baseEnv, poolConfigFile !== null), ...env },
          extendEnv: false,
          // fd 3 is the connected data socket (passed natively, not piped); the IPC channel comes after it.
          stdio: ['ignore', 'pipe', 'pipe', dataSocket],
          ipc: true,
          serialization: 'json',
          buffer: false,
          reject: false,
          cleanup: false,
          // Own process group: a terminal's Ctrl-C reaches poolhost, which stops workers in order.
          detached: true,
          ...(identity ? { uid: identity.uid, gid: identity.gid } : {}),
        });
      } finally {
        // The child holds its own copy; closing ours (without shutdown) keeps the connection open for it.
        dataSocket.destroy();
      }
      // execa reports the inherited socket as closed early; the exit event below is what counts.
      subprocess.catch(() => undefined);
      const pid = subprocess.pid;
      if (pid === undefined) {
        const exit = await subprocess;
        throw new Error(`could not start ${executablePath('w3wp', baseEnv)}: ${exit.message ?? 'no pid'}`);
      }
      // Before Node has loaded w3wp: the worker joins its pool's cgroup and is the OOM killer's first choice.
      setWorkerOomScore(pid, options.logger);
      try {
        request.placeProcess?.(pid);
      } catch (error) {
        subprocess.kill('SIGKILL');
        throw error;
      }
      const exitListeners: Array<(exit: WorkerExit) => void> = [];
      let exited: WorkerExit | null = null;
      subprocess.on('exit', (exitCode, signal) => {
        exited = { exitCode, signal };
        for (const listener of exitListeners) listener(exited);
      });
      const logger = options.logger.child({ pool: pool.name, workerId: request.workerId, workerPid: pid });
      forwardWorkerOutput(subprocess.stdout, 'stdout', { applicationPool: pool.name, pid, workerId: request.workerId, logger, write: options.write });
      forwardWorkerOutput(subprocess.stderr, 'stderr', { applicationPool: pool.name, pid, workerId: request.workerId, logger, write: options.write });
      const control = new ControlChannel(createIpcTransport(subprocess as unknown as IpcEndpoint), {
        peer: `w3wp ${pid}`,
        handlers: request.handlers,
        onProtocolError: (error) => logger.warn({ err: error }, `control message from worker ${pid} rejected: ${error.message}`),
      });
      return {
        pid,
        control,
        onExit(listener) {
          if (exited) listener(exited);
          else exitListeners.push(listener);
        },
        kill(signal) {
          if (exited) return;
          try {
            subprocess.kill(signal);
          } catch (error) {
            logger.warn({ err: error }, `could not send ${signal} to worker ${pid}`);
          }
        },
      };
    },
  };
}

/** An isolated worker is not told where applicationHost.config is (was's own POOLHOST_CONFIG included). */
function withoutConfigFile(env: NodeJS.ProcessEnv, isolated: boolean): NodeJS.ProcessEnv {
  if (!isolated) return env;
  const { POOLHOST_CONFIG: _omitted, ...rest } = env;
  return rest;
}
