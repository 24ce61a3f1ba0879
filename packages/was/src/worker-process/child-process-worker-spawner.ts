// The real spawner: `node <w3wp bundle> -ap "<pool>"`, with the worker's end of a data-plane
// connection to httpsys inherited as fd 3 and one end of a Unix socket pair, after the data connections,
// as its control channel (POOLHOST_CONTROL_FD). It also
// starts spare workers (`node <w3wp bundle>` with POOLHOST_SPARE=1, bound to no pool) and binds one to
// a pool on assignment, with the same environment, identity and cgroup a cold start gets.
import { startupMark } from '@poolhost/common/startup-trace';
import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import type { Logger } from '@poolhost/common';
import { connectUnixSocket, executablePath, socketPath } from '@poolhost/protocol';
import { resolveWorkerIdentity, type WorkerIdentity } from './worker-identity.js';
import type { WorkerOutputContext } from './worker-output.js';
import { poolEnvironment, workerDataFd } from './pool-environment.js';
import { supervise, workerLogger } from './supervised-worker.js';
import { ensurePoolTempDirectory } from './pool-temp-directory.js';
import { writePoolConfiguration } from '../isolation/pool-configuration.js';
import { setWorkerOomScore } from '../isolation/oom-score.js';
import type { SpareWorker, SpawnedWorker, WorkerSpawnRequest, WorkerSpawner } from './worker-spawner.js';

export { workerDataFd } from './pool-environment.js';

/** How long a spare has to answer AssignSpareWorker (it takes its identity and sets variables: milliseconds). */
const assignTimeoutMs = 5_000;

export interface ChildProcessWorkerSpawnerOptions {
  configFile: string;
  runDirectory: string;
  logger: Logger;
  /** Where forwarded worker log lines go (was's stdout). */
  write(line: string): void;
  env?: NodeJS.ProcessEnv;
}

/** What a worker of `pool` is started with: its identity, arguments and the variables set on top of was's environment. */
interface PoolWorkerStart {
  identity: WorkerIdentity | undefined;
  /** The worker reads its pool's own configuration file (configuration isolation). */
  isolated: boolean;
  arguments: string[];
  environment: Record<string, string>;
}

export function createChildProcessWorkerSpawner(options: ChildProcessWorkerSpawnerOptions): WorkerSpawner & { spawnSpare(spareId: string): Promise<SpareWorker> } {
  const baseEnv = options.env ?? process.env;
  const w3wp = executablePath('w3wp', baseEnv);
  // For profiling only, as POOLHOST_DEBUG_NODE_FLAGS_<SERVICE> is for the services (docs/performance.md,
  // "Profiling a service"): `POOLHOST_DEBUG_NODE_FLAGS_W3WP="--cpu-prof --cpu-prof-dir=/tmp/prof"`.
  const nodeFlags = (baseEnv.POOLHOST_DEBUG_NODE_FLAGS_W3WP ?? '').split(' ').filter((flag) => flag !== '');

  /** Everything a worker of the pool needs prepared on disk (temp folder, the pool's configuration file), and its start. */
  const prepare = (request: WorkerSpawnRequest): PoolWorkerStart => {
    const pool = request.applicationPool;
    const identity = resolveWorkerIdentity(pool, options.logger);
    const tempDirectory = ensurePoolTempDirectory(options.runDirectory, pool.name, identity);
    // Configuration isolation: the worker reads its pool's file, never applicationHost.config.
    const poolConfigFile = request.poolConfiguration ? writePoolConfiguration(tempDirectory, pool.name, request.poolConfiguration, identity) : null;
    return {
      identity,
      isolated: poolConfigFile !== null,
      arguments: ['-ap', pool.name, ...(poolConfigFile ? ['-h', poolConfigFile] : [])],
      environment: poolEnvironment(pool, identity, tempDirectory, poolConfigFile, request, options),
    };
  };

  /**
   * Opens the worker's data connections: fd 3 = one to httpsys and fd 4 = one to the net.tcp activator, each
   * when the worker attaches to that adapter. Called before the worker's start is prepared, so the
   * connections complete while was writes its folder and configuration (docs/performance.md, "Demand
   * start without a spare: the wall-clock path").
   */
  const connectDataSockets = async (protocols: readonly string[]): Promise<Array<Socket | 'ignore'>> => {
    // was opens the data connections, so a worker never needs access to the run directory's listener sockets.
    const dataSockets: Array<Socket | 'ignore'> = [];
    try {
      dataSockets.push(protocols.includes('http') ? await connectUnixSocket(socketPath(options.runDirectory, 'httpsys-data')) : 'ignore');
      if (protocols.includes('net.tcp')) dataSockets.push(await connectNetTcpActivator(socketPath(options.runDirectory, 'net-tcp-data')));
    } catch (error) {
      closeDataSockets(dataSockets);
      throw error;
    }
    return dataSockets;
  };

  /** Runs w3wp with the data connections as fd 3 (and 4) and the control connection after them; returns the subprocess, its pid and was's end of the control connection. */
  const start = async (args: string[], env: NodeJS.ProcessEnv, connecting: Promise<Array<Socket | 'ignore'>>, identity?: WorkerIdentity): Promise<{ subprocess: W3wpSubprocess; pid: number; controlSocket: Socket }> => {
    const dataSockets = await connecting;
    startupMark('was data connections open');
    let subprocess: W3wpSubprocess;
    try {
      subprocess = runW3wp([...nodeFlags, w3wp], args, env, dataSockets, identity);
      startupMark('was spawn returned');
    } finally {
      // The child holds its own copies; closing ours (without shutdown) keeps the connections open for it.
      closeDataSockets(dataSockets);
    }
    // A failed spawn (ENOENT, EACCES) has no pid and reports its error on the next tick; later errors (a
    // kill) are logged, the exit event is what counts.
    const spawnError = new Promise<Error>((resolve) => subprocess.once('error', resolve));
    subprocess.on('error', (error) => {
      if (subprocess.pid !== undefined) options.logger.warn({ err: error }, `worker ${subprocess.pid}: ${error.message}`);
    });
    const pid = subprocess.pid;
    if (pid === undefined) throw new Error(`could not start ${w3wp}: ${(await spawnError).message}`);
    const controlSocket = subprocess.stdio[controlFdAfter(dataSockets)] as Socket;
    // Before Node has loaded w3wp: the worker is the OOM killer's first choice.
    setWorkerOomScore(pid, options.logger);
    return { subprocess, pid, controlSocket };
  };

  return {
    async spawn(request: WorkerSpawnRequest): Promise<SpawnedWorker> {
      const pool = request.applicationPool;
      startupMark('was spawn()');
      const connecting = connectDataSockets(request.listenerProtocols ?? ['http']);
      let prepared: PoolWorkerStart;
      try {
        prepared = prepare(request);
        startupMark('was worker prepared');
      } catch (error) {
        connecting.then(closeDataSockets, () => undefined);
        throw error;
      }
      const { subprocess, pid, controlSocket } = await start(prepared.arguments, { ...withoutConfigFile(baseEnv, prepared.isolated), ...prepared.environment }, connecting, prepared.identity);
      // Before Node has loaded w3wp: the worker joins its pool's cgroup.
      try {
        request.placeProcess?.(pid);
      } catch (error) {
        subprocess.kill('SIGKILL');
        throw error;
      }
      const output: WorkerOutputContext = { applicationPool: pool.name, pid, workerId: request.workerId, logger: workerLogger(options.logger, pool.name, request.workerId, pid), write: options.write };
      return supervise(subprocess, pid, controlSocket, output, request.handlers).worker;
    },

    async spawnSpare(spareId: string): Promise<SpareWorker> {
      // A spare has was's environment less applicationHost.config's path, as every isolated worker.
      const { subprocess, pid, controlSocket } = await start(
        [],
        {
          ...withoutConfigFile(baseEnv, true),
          POOLHOST_RUN_DIR: options.runDirectory,
          POOLHOST_DATA_FD: String(workerDataFd),
          POOLHOST_SPARE: '1',
        },
        connectDataSockets(['http']),
      );
      const output: WorkerOutputContext = { applicationPool: '(spare)', pid, workerId: spareId, logger: workerLogger(options.logger, '(spare)', spareId, pid), write: options.write };
      let bootedResolve: () => void = () => undefined;
      let bootedReject: (error: Error) => void = () => undefined;
      const booted = new Promise<void>((resolve, reject) => {
        bootedResolve = resolve;
        bootedReject = reject;
      });
      booted.catch(() => undefined);
      const supervised = supervise(subprocess, pid, controlSocket, output, { SpareWorkerReady: () => bootedResolve() });
      supervised.worker.onExit((exit) => bootedReject(new Error(`spare worker ${pid} exited before it booted (${exit.signal ?? `exit code ${exit.exitCode}`})`)));
      let assigned = false;
      return {
        pid,
        booted,
        onExit: supervised.worker.onExit,
        kill: supervised.worker.kill,
        async assign(request: WorkerSpawnRequest): Promise<SpawnedWorker> {
          if (assigned) throw new Error(`spare worker ${pid} is already assigned; it never serves a second application pool`);
          assigned = true;
          const pool = request.applicationPool;
          const prepared = prepare(request);
          // Into the pool's cgroup before it loads anything of the pool's.
          request.placeProcess?.(pid);
          supervised.control.handle(request.handlers);
          output.applicationPool = pool.name;
          output.workerId = request.workerId;
          output.logger = workerLogger(options.logger, pool.name, request.workerId, pid);
          const environment = prepared.isolated ? prepared.environment : { ...prepared.environment, POOLHOST_CONFIG: options.configFile };
          const reply = await supervised.control.request(
            {
              type: 'AssignSpareWorker',
              applicationPool: pool.name,
              workerId: request.workerId,
              arguments: prepared.arguments,
              environment,
              ...(prepared.identity ? { identity: { uid: prepared.identity.uid, gid: prepared.identity.gid, userName: prepared.identity.userName } } : {}),
            },
            assignTimeoutMs,
          );
          if (prepared.identity && (reply.uid !== prepared.identity.uid || reply.gid !== prepared.identity.gid || reply.groups.length > 0)) {
            throw new Error(`spare worker ${pid} reports ${reply.uid}:${reply.gid} (groups ${reply.groups.join(',') || 'none'}), not ${prepared.identity.userName}'s ${prepared.identity.uid}:${prepared.identity.gid}`);
          }
          return supervised.worker;
        },
      };
    },
  };
}

/**
 * Node's own spawn, not execa: execa's module graph cost was ≈14 MB of RSS at rest and its spawn path
 * several milliseconds of each demand start (docs/performance.md, "Idle memory" and "Cold start").
 */
function runW3wp(entry: string[], args: string[], env: NodeJS.ProcessEnv, dataSockets: Array<Socket | 'ignore'>, identity: WorkerIdentity | undefined): ChildProcess {
  // `env` is the caller's own copy, made for this worker: no second copy of every variable.
  env.POOLHOST_CONTROL_FD = String(controlFdAfter(dataSockets));
  return spawn(process.execPath, [...entry, ...args], {
    env,
    // fd 3 (and 4) are the connected data sockets (passed natively, not piped). The control connection
    // comes after them: a 'pipe', which libuv makes a Unix socket pair, not Node's IPC channel ('ipc'),
    // whose set-up runs in each worker's boot (docs/performance.md, "Demand start: what
    // NODE_EXTRA_CA_CERTS hides").
    stdio: ['ignore', 'pipe', 'pipe', ...dataSockets, 'pipe'],
    // Own process group: a terminal's Ctrl-C reaches poolhost, which stops workers in order.
    detached: true,
    ...(identity ? { uid: identity.uid, gid: identity.gid } : {}),
  });
}

type W3wpSubprocess = ChildProcess;

/** The worker's control connection is the descriptor after its data connections (fd 3, and 4 for net.tcp). */
const controlFdAfter = (dataSockets: ReadonlyArray<Socket | 'ignore'>): number => 3 + dataSockets.length;

/** was's copies of the data connections (a started worker holds its own). */
function closeDataSockets(dataSockets: Array<Socket | 'ignore'>): void {
  for (const socket of dataSockets) if (socket !== 'ignore') socket.destroy();
}

/** An isolated worker is not told where applicationHost.config is (was's own POOLHOST_CONFIG included). */
function withoutConfigFile(env: NodeJS.ProcessEnv, isolated: boolean): NodeJS.ProcessEnv {
  if (!isolated) return env;
  const { POOLHOST_CONFIG: _omitted, ...rest } = env;
  return rest;
}

/**
 * The net.tcp activator may be starting (poolhost starts it when the first net.tcp binding appears, as this
 * pool's workers are replaced for the new protocol) or restarting after a crash: its socket is missing or
 * refuses for a moment. Tried again for up to 10 s before the worker's start fails.
 */
async function connectNetTcpActivator(path: string, timeLimitMs = 10_000): Promise<Socket> {
  const deadline = Date.now() + timeLimitMs;
  for (;;) {
    try {
      return await connectUnixSocket(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if ((code !== 'ENOENT' && code !== 'ECONNREFUSED') || Date.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
