// The real spawner: `node <w3wp bundle> -ap "<pool>"`, with the worker's end of a data-plane
// connection to httpsys inherited as fd 3 and one end of a Unix socket pair, after the data connections,
// as its control channel (POOLHOST_CONTROL_FD). It also
// starts spare workers (`node <w3wp bundle>` with POOLHOST_SPARE=1, bound to no pool) and binds one to
// a pool on assignment, with the same environment, identity and cgroup a cold start gets.
import { startupMark } from '@poolhost/common/startup-trace';
import { spawn, type ChildProcess } from 'node:child_process';
import { lstatSync, readFileSync, type BigIntStats } from 'node:fs';
import type { Socket } from 'node:net';
import type { ApplicationPool } from '@poolhost/config';
import type { Logger } from '@poolhost/common';
import { connectUnixSocket, connectingUnixSocket, executablePath, socketPath } from '@poolhost/protocol';
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

export interface ChildProcessWorkerSpawner extends WorkerSpawner {
  spawnSpare(spareId: string): Promise<SpareWorker>;
  prepareAhead(applicationPool: ApplicationPool, poolConfiguration: string): void;
  /**
   * Runs Node's spawn path once, with no worker: `node --version` (Node's executable, which prints its
   * version and exits before it starts V8), spawned as a worker is — the same stdio layout, a new process
   * group, a copy of the environment. A process's first `child_process.spawn` costs ≈2 ms more than the
   * next (Node's spawn code and libuv's child watcher set up for the first time), and in was the first
   * one is a demand start's, on the request's path (docs/performance.md, "Demand start without a spare:
   * the wall-clock path"). was calls it once, when it has started. Resolves when the process has exited
   * (or could not start: logged at debug, nothing else depends on it).
   */
  warmSpawnPath(): Promise<void>;
}

export function createChildProcessWorkerSpawner(options: ChildProcessWorkerSpawnerOptions): ChildProcessWorkerSpawner {
  const baseEnv = options.env ?? process.env;
  const w3wp = executablePath('w3wp', baseEnv);
  // For profiling only, as POOLHOST_DEBUG_NODE_FLAGS_<SERVICE> is for the services (docs/performance.md,
  // "Profiling a service"): `POOLHOST_DEBUG_NODE_FLAGS_W3WP="--cpu-prof --cpu-prof-dir=/tmp/prof"`.
  const nodeFlags = (baseEnv.POOLHOST_DEBUG_NODE_FLAGS_W3WP ?? '').split(' ').filter((flag) => flag !== '');

  /**
   * Each pool's folder and configuration file written by prepareAhead, by pool name (lower case), until a
   * start takes them. Only for pools whose workers run as was's own user (no SpecificUser identity).
   */
  const preparedAhead = new Map<string, PreparedAhead>();

  /** The folder and file prepareAhead wrote for `pool`, if they hold `text` and nothing has changed them since (taken once). */
  const takePreparedAhead = (pool: ApplicationPool, text: string): PreparedAhead | null => {
    const key = pool.name.toLowerCase();
    const prepared = preparedAhead.get(key);
    if (prepared === undefined) return null;
    preparedAhead.delete(key);
    return preparedAheadUsable(prepared, text) ? prepared : null;
  };

  /** Everything a worker of the pool needs prepared on disk (temp folder, the pool's configuration file), and its start. */
  const prepare = (request: WorkerSpawnRequest): PoolWorkerStart => {
    const pool = request.applicationPool;
    const identity = resolveWorkerIdentity(pool, options.logger);
    const ahead = identity === undefined && request.poolConfiguration ? takePreparedAhead(pool, request.poolConfiguration) : null;
    const tempDirectory = ahead?.tempDirectory ?? ensurePoolTempDirectory(options.runDirectory, pool.name, identity).directory;
    // Configuration isolation: the worker reads its pool's file, never applicationHost.config.
    const poolConfigFile = ahead?.file ?? (request.poolConfiguration ? writePoolConfiguration(tempDirectory, pool.name, request.poolConfiguration, identity) : null);
    return {
      identity,
      isolated: poolConfigFile !== null,
      arguments: ['-ap', pool.name, ...(poolConfigFile ? ['-h', poolConfigFile] : [])],
      environment: poolEnvironment(pool, identity, tempDirectory, poolConfigFile, request, options),
    };
  };

  /**
   * Opens the worker's data connections: fd 3 = one to httpsys and fd 4 = one to the net.tcp activator, each
   * when the worker attaches to that adapter. Called before the worker's start is prepared. A Unix socket's
   * `connect` is done in the kernel when Node's call returns (libuv reports it on the next loop turn), so the
   * connection to httpsys can be handed to the spawn at once: `usable` resolves with the sockets as soon as
   * each can be (httpsys' at once; the activator's once connected — it may be starting, and is tried again),
   * `connected` when every connection has been confirmed, or with the error that ends the worker's start
   * (docs/performance.md, "Demand start without a spare: the wall-clock path").
   */
  const openDataConnections = (protocols: readonly string[]): DataConnections => {
    // was opens the data connections, so a worker never needs access to the run directory's listener sockets.
    const sockets: Array<Socket | 'ignore'> = [];
    const confirmations: Array<Promise<void>> = [];
    if (protocols.includes('http')) {
      const httpsys = connectingUnixSocket(socketPath(options.runDirectory, 'httpsys-data'), 2_000, 'quiet');
      sockets.push(httpsys.socket);
      confirmations.push(httpsys.connected);
    } else {
      sockets.push('ignore');
    }
    const netTcp = protocols.includes('net.tcp') ? connectNetTcpActivator(socketPath(options.runDirectory, 'net-tcp-data')) : null;
    const usable = netTcp ? netTcp.then((socket) => [...sockets, socket]) : sockets;
    const connected = Promise.all([...confirmations, ...(netTcp ? [netTcp.then(() => undefined)] : [])]).then(() => undefined);
    const closeAll = (): void => {
      closeDataSockets(sockets);
      netTcp?.then((socket) => socket.destroy(), () => undefined);
    };
    // A failure is the start's error (thrown by start(), or by usable's await); the sockets are closed.
    connected.catch(closeAll);
    if (!Array.isArray(usable)) usable.catch(() => undefined);
    return { usable, connected, close: closeAll };
  };

  /**
   * Runs w3wp with the data connections as fd 3 (and 4) and the control connection after them, sets its OOM
   * score and places it (its pool's cgroup) right after the spawn, and returns the subprocess, its pid and
   * was's end of the control connection once the data connections are confirmed (a connection that failed,
   * or a placement that threw, ends the process at once and is the start's error).
   */
  const start = async (args: string[], env: NodeJS.ProcessEnv, connections: DataConnections, identity?: WorkerIdentity, placeProcess?: (pid: number) => void): Promise<{ subprocess: W3wpSubprocess; pid: number; controlSocket: Socket }> => {
    // Without an await when the sockets are usable now: the spawn then happens inside the caller's call,
    // ahead of what the caller does next (was's demand path logs, publishes, answers).
    const dataSockets = Array.isArray(connections.usable) ? connections.usable : await connections.usable;
    startupMark('was data connections open');
    let subprocess: W3wpSubprocess;
    try {
      subprocess = runW3wp([...nodeFlags, w3wp], args, env, dataSockets, identity);
      startupMark('was spawn returned');
    } catch (error) {
      connections.close();
      throw error;
    }
    // A failed spawn (ENOENT, EACCES) has no pid and reports its error on the next tick; later errors (a
    // kill) are logged, the exit event is what counts.
    const spawnError = new Promise<Error>((resolve) => subprocess.once('error', resolve));
    subprocess.on('error', (error) => {
      if (subprocess.pid !== undefined) options.logger.warn({ err: error }, `worker ${subprocess.pid}: ${error.message}`);
    });
    const pid = subprocess.pid;
    if (pid === undefined) {
      connections.close();
      throw new Error(`could not start ${w3wp}: ${(await spawnError).message}`);
    }
    // Before Node has loaded w3wp: the worker is the OOM killer's first choice.
    setWorkerOomScore(pid, options.logger);
    startupMark('was OOM score set');
    try {
      // Before Node has loaded w3wp: the worker joins its pool's cgroup.
      placeProcess?.(pid);
      startupMark('was worker placed (cgroup)');
      await connections.connected;
    } catch (error) {
      subprocess.kill('SIGKILL');
      throw error;
    }
    // The child holds its own copies; closing ours (without shutdown) keeps the connections open for it.
    connections.close();
    const controlSocket = subprocess.stdio[controlFdAfter(dataSockets)] as Socket;
    return { subprocess, pid, controlSocket };
  };

  return {
    prepareAhead(pool: ApplicationPool, text: string): void {
      // A SpecificUser pool's identity is looked up (and its folder chowned) at each start, as before.
      if (pool.processModel.identityType === 'SpecificUser') return;
      const { directory: tempDirectory, ensured } = ensurePoolTempDirectory(options.runDirectory, pool.name, undefined);
      const file = writePoolConfiguration(tempDirectory, pool.name, text, undefined);
      preparedAhead.set(pool.name.toLowerCase(), { text, bytes: Buffer.from(text), tempDirectory, file, paths: fingerprints(ensured, file) });
    },

    warmSpawnPath: () =>
      new Promise<void>((resolve) => {
        const failed = (error: unknown): void => {
          options.logger.debug({ err: error }, `the spawn path could not be run ahead: ${error instanceof Error ? error.message : String(error)}`);
          resolve();
        };
        try {
          const subprocess = spawn(process.execPath, ['--version'], { env: { ...baseEnv }, stdio: ['ignore', 'pipe', 'pipe', 'ignore', 'pipe'], detached: true });
          subprocess.once('error', failed);
          subprocess.once('close', () => resolve());
          for (const stream of subprocess.stdio) (stream as Socket | null)?.resume();
        } catch (error) {
          failed(error);
        }
      }),

    async spawn(request: WorkerSpawnRequest): Promise<SpawnedWorker> {
      const pool = request.applicationPool;
      startupMark('was spawn()');
      const connections = openDataConnections(request.listenerProtocols ?? ['http']);
      let prepared: PoolWorkerStart;
      try {
        prepared = prepare(request);
        startupMark('was worker prepared');
      } catch (error) {
        connections.close();
        throw error;
      }
      const { subprocess, pid, controlSocket } = await start(prepared.arguments, { ...withoutConfigFile(baseEnv, prepared.isolated), ...prepared.environment }, connections, prepared.identity, request.placeProcess);
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
        openDataConnections(['http']),
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

/**
 * Whether what prepareAhead wrote can serve a start whose pool configuration is `text`: the same text, the
 * same folders and file (lstat), and the file's bytes. The bytes too, because a same-size edit within the
 * filesystem's timestamp granularity (a coarse clock tick, on kernels and filesystems without fine-grained
 * timestamps) leaves size, mtime and ctime as they were. Reading the small file back costs ≈9 µs of CPU
 * (docs/performance.md), against milliseconds for the spawn it serves.
 */
export function preparedAheadUsable(prepared: PreparedAhead, text: string): boolean {
  return prepared.text === text && unchanged(prepared.paths) && sameBytes(prepared.file, prepared.bytes);
}

/** A pool's folder and configuration file as prepareAhead wrote them. */
export interface PreparedAhead {
  text: string;
  /** What writePoolConfiguration wrote (the text as UTF-8), compared with the file when a start takes it. */
  bytes: Buffer;
  tempDirectory: string;
  file: string;
  paths: Fingerprint[];
}

/**
 * What a path was when it was written: for the folders, that they are the same folders with the same mode
 * and owner (what ensurePoolTempDirectory makes sure of; files made in them change their times); for the
 * file, also its size, link count and modification and change times, which any write, chmod or chown changes.
 */
export interface Fingerprint {
  path: string;
  stats: BigIntStats;
  file: boolean;
}

export function fingerprints(directories: readonly string[], file: string): Fingerprint[] {
  return [...directories.map((path) => ({ path, stats: lstatSync(path, { bigint: true }), file: false })), { path: file, stats: lstatSync(file, { bigint: true }), file: true }];
}

function unchanged(paths: Fingerprint[]): boolean {
  try {
    return paths.every(({ path, stats: before, file }) => {
      const now = lstatSync(path, { bigint: true });
      const same = now.dev === before.dev && now.ino === before.ino && now.mode === before.mode && now.uid === before.uid && now.gid === before.gid;
      return same && (!file || (now.size === before.size && now.nlink === before.nlink && now.mtimeNs === before.mtimeNs && now.ctimeNs === before.ctimeNs));
    });
  } catch {
    return false;
  }
}

/** Whether `file` still holds exactly `bytes`. */
function sameBytes(file: string, bytes: Buffer): boolean {
  try {
    return readFileSync(file).equals(bytes);
  } catch {
    return false;
  }
}

/** A worker's data connections while they are made (openDataConnections). */
interface DataConnections {
  /** The sockets, now or once each can be handed to a spawn (the net.tcp activator's is awaited). */
  usable: Array<Socket | 'ignore'> | Promise<Array<Socket | 'ignore'>>;
  /** Every connection confirmed; rejects with the first failure. */
  connected: Promise<void>;
  /** Closes was's copies (a started worker holds its own). */
  close(): void;
}

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
