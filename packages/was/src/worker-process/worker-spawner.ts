// The seam between worker lifecycle logic and real processes: the real spawner runs
// `node w3wp.js -ap "<pool>"` with Node's child_process; tests use a fake.
import type { ApplicationPool, ListenerProtocol } from '@poolhost/config';
import type { ControlRequest, HandlerTable, ReplyTo } from '@poolhost/protocol';

export interface WorkerSpawnRequest {
  applicationPool: ApplicationPool;
  workerId: string;
  /** The pool's standby worker (standbyWorker="true"): started with POOLHOST_STANDBY=1. */
  standby?: boolean;
  /** The messages the worker may send to was (WorkerReady, WorkerStartupFailed, WorkerRecycleRequested). */
  handlers: HandlerTable;
  /**
   * Called with the new pid synchronously after the spawn, before Node has loaded the w3wp bundle (tens of
   * milliseconds), so no application code runs outside the pool's cgroup. A throw fails the spawn.
   */
  placeProcess?: (pid: number) => void;
  /**
   * The pool's own configuration (applicationHost.config filtered for it): written to `<pool>.config` in
   * the pool's folder and given to the worker as `-h` and APP_POOL_CONFIG instead of applicationHost.config.
   */
  poolConfiguration?: string | null;
  /**
   * The listener adapters the worker attaches to (absent: http): was opens the worker's data connection to
   * httpsys (fd 3) only with `http`, to the net.tcp activator (fd 4) only with `net.tcp`.
   */
  listenerProtocols?: ListenerProtocol[];
}

export interface WorkerExit {
  exitCode: number | null;
  signal: string | null;
}

/** The control channel to one worker, as the lifecycle code needs it. */
export interface WorkerControl {
  request<M extends ControlRequest>(message: M, timeoutMs?: number): Promise<ReplyTo<M>>;
  /** The control channel broke (the worker exited, or the socket failed). */
  onClose(listener: () => void): void;
  close(): void;
}

export interface SpawnedWorker {
  pid: number;
  control: WorkerControl;
  onExit(listener: (exit: WorkerExit) => void): void;
  kill(signal: NodeJS.Signals): void;
}

export interface WorkerSpawner {
  spawn(request: WorkerSpawnRequest): Promise<SpawnedWorker>;
  /**
   * Writes what the next worker of `applicationPool` needs on disk (its folder and `<pool>.config` with
   * `poolConfiguration`) now, while was is idle, so that a demand start need not (docs/performance.md,
   * "Demand start without a spare: the wall-clock path"). The start uses them if its configuration text is
   * the same and nothing has changed them since; otherwise it writes them as without this.
   */
  prepareAhead?(applicationPool: ApplicationPool, poolConfiguration: string): void;
}

/**
 * A spare worker (`<applicationPools spareWorkers>`): w3wp booted with no pool. It becomes one pool's
 * worker through `assign`, once; until then it serves nothing and answers nothing but its boot.
 */
export interface SpareWorker {
  readonly pid: number;
  /** Resolves at SpareWorkerReady; rejects if the process exits first. */
  readonly booted: Promise<void>;
  onExit(listener: (exit: WorkerExit) => void): void;
  kill(signal: NodeJS.Signals): void;
  /**
   * Makes it the worker `request` asks for: the pool's cgroup (placeProcess), its handlers, then
   * AssignSpareWorker (identity, environment, arguments). Resolves with what `spawn` would have; throws
   * if the spare cannot become it (the caller kills the spare and starts the worker cold).
   */
  assign(request: WorkerSpawnRequest): Promise<SpawnedWorker>;
}

export interface SpareWorkerSpawner {
  spawnSpare(spareId: string): Promise<SpareWorker>;
}
