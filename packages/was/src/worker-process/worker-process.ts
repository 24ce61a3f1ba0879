// One w3wp: its state machine (Starting -> Running [<-> Suspended] -> Stopping -> Exited), the
// startup and shutdown time limits, and the reason it ended. Health, idle and periodic restart are
// watched by WorkerMonitors; the application pool decides what to do next.
import { StateMachine, type Logger } from '@poolhost/common';
import type { ApplicationPool, ListenerProtocol, RecycleReason } from '@poolhost/config';
import { createWorkerRequestCounters, type ControlRequest, type HandlerTable, type ReplyTo, type WorkerHealth, type WorkerProcessCounterSet, type WorkerProcessInfo, type WorkerRequestCounters } from '@poolhost/protocol';
import type { Clock, TimerHandle } from '@poolhost/common';
import type { EventLog } from '../event-log/event-log.js';
import type { MemorySampler } from '../recycling/memory-sampler.js';
import { DATA_CONNECTION_LOST_EXIT_CODE, describeExitReason, isFailure, type WorkerExitReason } from './worker-exit-reason.js';
import { writeWorkerEvent } from './worker-events.js';
import { WorkerMonitors } from './worker-monitors.js';
import { liveStates, workerProcessTransitions, type WorkerProcessEvent, type WorkerProcessStateName } from './worker-process-states.js';
import type { SpawnedWorker, WorkerExit, WorkerSpawner } from './worker-spawner.js';

/** How long a broken control channel may precede the exit event before it counts as a communication error. */
const communicationGraceMs = 1_000;
/** A worker that reported a startup failure gets this long to exit by itself after SIGTERM. */
const startupFailureKillMs = 2_000;

export interface WorkerProcessEvents {
  ready(worker: WorkerProcess): void;
  exited(worker: WorkerProcess, reason: WorkerExitReason): void;
  /** A recycle condition was reached: detected by was (periodicRestart) or reported by the worker. */
  recycleRequested(worker: WorkerProcess, trigger: RecycleReason, detail: string, applicationFailedToLoad?: boolean): void;
  idle(worker: WorkerProcess): void;
}

export interface WorkerProcessOptions {
  workerId: string;
  /** The pool's configuration when this worker was started; the worker keeps it for its whole life. */
  applicationPool: ApplicationPool;
  spawner: WorkerSpawner;
  clock: Clock;
  logger: Logger;
  eventLog: EventLog;
  memorySampler: MemorySampler;
  events: WorkerProcessEvents;
  /** AlwaysRunning pools keep their worker; idle shutdown applies to OnDemand pools only. */
  idleShutdown: boolean;
  /** Started as the pool's standby worker (attached but not dispatched to until promoted). */
  standby?: boolean;
  /** The pool's own configuration file text (configuration isolation); null: the worker reads applicationHost.config. */
  poolConfiguration?: () => string | null;
  /** The listener protocols the worker attaches to (absent: http). */
  listenerProtocols?: ListenerProtocol[];
  /** Puts the new process in the pool's cgroup; called by the spawner right after the spawn, before Node loads w3wp. */
  placeProcess?: (pid: number) => void;
  /** An unplanned exit the pool can explain better than "crash" (its cgroup's OOM killer ended it). */
  explainCrash?: (exit: WorkerExit) => WorkerExitReason | null;
}

export class WorkerProcess {
  readonly workerId: string;
  readonly applicationPoolName: string;
  readonly startedAt: string;
  /** The clock's time at launch, ms. */
  readonly startedAtMs: number;
  pid = 0;
  capacity = 0;
  requestsServed = 0;
  requestsInFlight = 0;
  /** W3SVC_W3WP counters as of the last WorkerHealth. */
  requestCounters: WorkerRequestCounters | null = null;
  /** Still alive at shutdownTimeLimit and killed (5013): Total Worker Process Shutdown Failures. */
  killedAtShutdownTimeLimit = false;
  /**
   * Started as the pool's standby: spawned with POOLHOST_STANDBY=1, so it attaches as one. Its role
   * afterwards (promoted or not) is the pool's to know (application-pool/worker-role.ts).
   */
  readonly startedAsStandby: boolean;
  /** Sent WorkerReady: it was attached to its queue in httpsys (whose loss there hands the queue to a standby). */
  attached = false;
  private readonly machine: StateMachine<WorkerProcessStateName, WorkerProcessEvent>;
  private readonly logger: Logger;
  private readonly monitors: WorkerMonitors;
  private process: SpawnedWorker | null = null;
  private plannedReason: WorkerExitReason | null = null;
  private startupTimer: TimerHandle | null = null;
  private shutdownTimer: TimerHandle | null = null;
  private communicationTimer: TimerHandle | null = null;
  private stopRequested = false;
  private stopAcknowledged = false;
  private readonly exitWaiters: Array<(reason: WorkerExitReason) => void> = [];
  private finalReason: WorkerExitReason | null = null;

  constructor(private readonly options: WorkerProcessOptions) {
    this.workerId = options.workerId;
    this.startedAsStandby = options.standby ?? false;
    this.applicationPoolName = options.applicationPool.name;
    const startedAt = options.clock.now();
    this.startedAt = new Date(startedAt).toISOString();
    this.startedAtMs = startedAt;
    this.logger = options.logger.child({ workerId: options.workerId });
    this.machine = new StateMachine(`worker ${options.workerId}`, 'Starting', workerProcessTransitions, this.logger);
    this.monitors = new WorkerMonitors({
      applicationPool: options.applicationPool,
      clock: options.clock,
      memorySampler: options.memorySampler,
      startedAt,
      idleShutdown: options.idleShutdown,
      pid: () => this.pid,
      probe: (timeoutMs) => this.request({ type: 'PingWorker' }, timeoutMs),
      counters: (health) => {
        this.requestsServed = health.requestsServed;
        this.requestsInFlight = health.requestsInFlight;
        if (health.counters) this.requestCounters = health.counters;
      },
      unresponsive: () => this.onUnresponsive(),
      idle: () => {
        if (this.state === 'Running') options.events.idle(this);
      },
      // A worker still starting is recycled once it is ready (the pool keeps the trigger).
      recycleDue: (trigger, detail) => {
        if (liveStates.has(this.state)) options.events.recycleRequested(this, trigger, detail);
      },
    });
  }

  get state(): WorkerProcessStateName {
    return this.machine.state;
  }

  /** Starting, Running or Suspended: counts toward maxProcesses. */
  get active(): boolean {
    return liveStates.has(this.state);
  }

  /** The pool configuration this worker was started with. */
  get configuration(): ApplicationPool {
    return this.options.applicationPool;
  }

  get exitReason(): WorkerExitReason | null {
    return this.finalReason;
  }

  info(): WorkerProcessInfo {
    const state = this.state === 'Exited' ? 'Unknown' : this.state === 'Suspended' ? 'Running' : this.state;
    return {
      pid: this.pid,
      applicationPool: this.applicationPoolName,
      state,
      startedAt: this.startedAt,
      requestsServed: this.requestsServed,
      requestsInFlight: this.requestsInFlight,
    };
  }

  /** W3SVC_W3WP, instance `<pid>_<pool>`. */
  counterSet(): WorkerProcessCounterSet {
    const info = this.info();
    return {
      pid: this.pid,
      applicationPool: this.applicationPoolName,
      state: this.state,
      startedAt: this.startedAt,
      activeRequests: info.requestsInFlight,
      totalRequestsServed: info.requestsServed,
      ...(this.requestCounters ?? createWorkerRequestCounters()),
    };
  }

  /** Resolves when the process is gone, with the reason it ended. */
  whenExited(): Promise<WorkerExitReason> {
    if (this.finalReason) return Promise.resolve(this.finalReason);
    return new Promise((resolve) => this.exitWaiters.push(resolve));
  }

  async launch(): Promise<void> {
    const { processModel } = this.options.applicationPool;
    this.startupTimer = this.options.clock.setTimeout(() => this.onStartupTimeLimit(), processModel.startupTimeLimit);
    this.monitors.startRecycleTimers();
    let spawned: SpawnedWorker;
    try {
      spawned = await this.options.spawner.spawn({
        applicationPool: this.options.applicationPool,
        workerId: this.workerId,
        standby: this.startedAsStandby,
        handlers: this.handlers(),
        ...(this.options.placeProcess ? { placeProcess: this.options.placeProcess } : {}),
        ...(this.options.poolConfiguration ? { poolConfiguration: this.options.poolConfiguration() } : {}),
        ...(this.options.listenerProtocols ? { listenerProtocols: this.options.listenerProtocols } : {}),
      });
    } catch (error) {
      if (this.state === 'Exited') return;
      const message = error instanceof Error ? error.message : String(error);
      this.logger.error({ err: error }, `worker process for application pool '${this.applicationPoolName}' could not be started: ${message}`);
      if (this.state !== 'Stopping') this.machine.fire('stop', 'spawn failed');
      this.plannedReason ??= { kind: 'spawnFailed', message };
      this.onExit({ exitCode: null, signal: null });
      return;
    }
    if (this.state === 'Exited') {
      // The startup time limit ended this worker while it was still being spawned.
      spawned.kill('SIGKILL');
      return;
    }
    this.process = spawned;
    this.pid = spawned.pid;
    this.logger.info({ workerPid: spawned.pid }, `worker process ${spawned.pid} started for application pool '${this.applicationPoolName}'`);
    spawned.onExit((exit) => this.onExit(exit));
    spawned.control.onClose(() => this.onControlClosed());
    if (this.state === 'Stopping' && this.plannedReason) {
      if (isFailure(this.plannedReason)) spawned.kill('SIGKILL');
      else this.sendStop();
    }
  }

  /** Planned, graceful stop: -> Stopping, StopWorker, then a kill at shutdownTimeLimit (5013). A suspended worker is thawed first. */
  stop(reason: WorkerExitReason): Promise<WorkerExitReason> {
    if (liveStates.has(this.state)) {
      if (this.state === 'Suspended') this.process?.kill('SIGCONT');
      this.plannedReason = reason;
      this.machine.fire('stop', describeExitReason(reason));
      this.monitors.stop();
      if (this.process) this.sendStop();
    }
    return this.whenExited();
  }

  /** Unhealthy worker: -> Stopping and killed at once; the reason is decided first. */
  terminate(reason: WorkerExitReason, signal: NodeJS.Signals = 'SIGKILL'): void {
    if (!liveStates.has(this.state)) return;
    this.plannedReason = reason;
    this.machine.fire('stop', describeExitReason(reason));
    this.monitors.stop();
    this.process?.kill(signal);
    if (signal !== 'SIGKILL') {
      this.shutdownTimer = this.options.clock.setTimeout(() => this.process?.kill('SIGKILL'), startupFailureKillMs);
    }
  }

  // Running -> Suspended: idleTimeoutAction="Suspend". The process is frozen (SIGSTOP) but stays
  // attached to its queue; pings pause so a frozen worker is not taken for a hung one.
  suspend(): void {
    if (this.state !== 'Running' || !this.process) return;
    this.machine.fire('suspend', 'idle timeout (idleTimeoutAction Suspend)');
    this.monitors.pause();
    this.process.kill('SIGSTOP');
  }

  // Suspended -> Running: a request reached its queue, or a worker was demanded for the pool.
  resume(why: string): void {
    if (this.state !== 'Suspended') return;
    this.process?.kill('SIGCONT');
    this.machine.fire('resume', why);
    this.monitors.resume();
  }

  /** Asks a running worker for fresh counters (for `list wp` and `poolhost status`); never kills it. */
  async refreshCounters(timeoutMs: number): Promise<void> {
    if (this.state !== 'Running' || !this.process) return;
    try {
      this.monitors.observe(await this.request({ type: 'PingWorker' }, timeoutMs));
    } catch {
      // A slow or hung worker is the ping monitor's business; the listing shows the last known counters.
    }
  }

  /** A control request to a running worker (PingWorker, ListWorkerRequests). */
  request<M extends ControlRequest>(message: M, timeoutMs: number): Promise<ReplyTo<M>> {
    if (!this.process) return Promise.reject(new Error(`worker ${this.workerId} has no process yet`));
    return this.process.control.request(message, timeoutMs);
  }

  /** Shutdown: a worker that is stuck gets killed without waiting any longer. */
  kill(): void {
    this.process?.kill('SIGKILL');
  }

  private handlers(): HandlerTable {
    return {
      WorkerReady: (message) => {
        this.capacity = message.capacity;
        this.attached = true;
        this.onReady();
      },
      WorkerStartupFailed: (message) => {
        this.logger.error({ workerPid: this.pid }, `worker process ${this.pid} of application pool '${this.applicationPoolName}' failed to start: ${message.message}`);
        this.terminate({ kind: 'startupFailed', message: message.message }, 'SIGTERM');
      },
      // Also while Starting (iisnode's control pipe can ask while the application loads): applied once ready.
      WorkerRecycleRequested: (message) => {
        if (this.state === 'Running' || this.state === 'Starting') this.options.events.recycleRequested(this, message.reason, message.detail ?? 'requested by the worker process', message.applicationFailedToLoad === true);
      },
    };
  }

  // Starting -> Running
  private onReady(): void {
    if (this.state !== 'Starting') return;
    this.startupTimer?.cancel();
    this.startupTimer = null;
    this.machine.fire('ready', 'WorkerReady');
    this.monitors.start();
    this.options.events.ready(this);
  }

  private onStartupTimeLimit(): void {
    this.startupTimer = null;
    if (this.state === 'Stopping' && this.stopRequested && !this.stopAcknowledged) {
      // Stopped while it was still starting (its pool disabled or stopped, a recycle), and at the startup
      // time limit neither ready nor answering the stop: it hangs in its start. It is killed now, as the
      // limit kills any worker that does not start, rather than after shutdownTimeLimit. The stop's
      // reason stays the exit's reason.
      this.logger.warn({ workerPid: this.pid }, `worker process ${this.pid} of application pool '${this.applicationPoolName}' was stopped while starting and did not answer within startupTimeLimit; killed`);
      this.process?.kill('SIGKILL');
      return;
    }
    if (this.state !== 'Starting') return;
    writeWorkerEvent(this.options.eventLog, 5012, this, 'startup time limit exceeded');
    this.terminate({ kind: 'startupTimeout' });
    // A worker whose spawn never completed has no process to kill: it ends here.
    if (!this.process) this.onExit({ exitCode: null, signal: null });
  }

  // No WorkerHealth within pingResponseTime: the worker hangs (5010).
  private onUnresponsive(): void {
    if (this.state !== 'Running') return;
    writeWorkerEvent(this.options.eventLog, 5010, this, 'ping timeout');
    this.terminate({ kind: 'pingTimeout' });
  }

  private stopAcknowledgement: Promise<void> | null = null;

  private sendStop(): void {
    if (this.stopRequested || !this.process || !this.plannedReason) return;
    this.stopRequested = true;
    const { shutdownTimeLimit } = this.options.applicationPool.processModel;
    const reason = describeExitReason(this.plannedReason);
    this.shutdownTimer = this.options.clock.setTimeout(() => this.onShutdownTimeLimit(), shutdownTimeLimit);
    this.stopAcknowledgement = this.process.control.request({ type: 'StopWorker', reason, shutdownTimeLimit }, shutdownTimeLimit).then(
      () => {
        this.stopAcknowledged = true;
      },
      (error: unknown) => {
        this.logger.debug({ err: error, workerPid: this.pid }, 'StopWorker was not acknowledged');
      },
    );
  }

  /**
   * Resolves once the worker acknowledged StopWorker — it acknowledges after httpsys confirmed its
   * DETACH, so from then on no new request reaches it — or once that can no longer happen.
   */
  stoppedTakingRequests(): Promise<void> {
    return this.stopAcknowledgement ?? Promise.resolve();
  }

  // Still alive at shutdownTimeLimit (a long-lived connection, a stuck request): killed, 5013, not a failure.
  private onShutdownTimeLimit(): void {
    this.shutdownTimer = null;
    if (this.state === 'Exited') return;
    writeWorkerEvent(this.options.eventLog, 5013, this, this.plannedReason ? describeExitReason(this.plannedReason) : 'shutdown');
    this.killedAtShutdownTimeLimit = true;
    this.process?.kill('SIGKILL');
  }

  // The control channel broke. A dying process closes it just before its exit is reported, so wait a
  // moment: an exit that follows is a crash (5009); a process still alive lost its channel (5011).
  private onControlClosed(): void {
    if (!liveStates.has(this.state)) return;
    this.communicationTimer = this.options.clock.setTimeout(() => {
      this.communicationTimer = null;
      if (!liveStates.has(this.state)) return;
      writeWorkerEvent(this.options.eventLog, 5011, this, 'fatal communication error');
      this.terminate({ kind: 'communicationError' });
    }, communicationGraceMs);
  }

  private onExit(exit: WorkerExit): void {
    if (this.state === 'Exited') return;
    this.startupTimer?.cancel();
    this.shutdownTimer?.cancel();
    this.communicationTimer?.cancel();
    this.monitors.stop();
    // Planned stop versus crash is decided by the state: only an exit in Stopping was asked for.
    // An unplanned exit 75 means httpsys went away (restarted by poolhost): not the application's failure.
    const reason: WorkerExitReason =
      this.state === 'Stopping' && this.plannedReason
        ? this.plannedReason
        : exit.exitCode === DATA_CONNECTION_LOST_EXIT_CODE
          ? { kind: 'listenerLost' }
          : (this.options.explainCrash?.(exit) ?? { kind: 'crash', exitCode: exit.exitCode, signal: exit.signal });
    this.finalReason = reason;
    this.machine.fire('exit', describeExitReason(reason));
    this.process?.control.close();
    if (reason.kind === 'crash') {
      const exitCode = exit.signal ? `${exit.signal} (terminated by signal)` : String(exit.exitCode ?? 'unknown');
      writeWorkerEvent(this.options.eventLog, 5009, this, describeExitReason(reason), exitCode);
    }
    if (reason.kind === 'memoryLimit') {
      this.options.eventLog.write(5301, [this.applicationPoolName, this.pid, reason.limitKb], { applicationPool: this.applicationPoolName, pid: this.pid, reason: describeExitReason(reason) });
    }
    if (this.pid !== 0) {
      this.options.eventLog.recordWorkerEnded({
        pid: this.pid,
        applicationPool: this.applicationPoolName,
        startedAt: this.startedAt,
        endedAt: new Date(this.options.clock.now()).toISOString(),
        reason: describeExitReason(reason),
      });
    }
    this.options.events.exited(this, reason);
    for (const waiter of this.exitWaiters.splice(0)) waiter(reason);
  }
}
