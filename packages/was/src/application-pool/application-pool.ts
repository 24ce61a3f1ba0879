// One application pool at runtime: its state machine, its workers (demand start, web garden,
// AlwaysRunning), overlapped recycling and rapid-fail protection.
import { StateMachine, type Logger } from '@poolhost/common';
import type { ApplicationPool as ApplicationPoolConfig } from '@poolhost/config';
import type { ApplicationPoolStatus, RecycleReasonName, RequestQueueState, WorkerDemanded, WorkerProcessInfo } from '@poolhost/protocol';
import type { Clock, TimerHandle } from '../clock/clock.js';
import type { EventLog } from '../event-log/event-log.js';
import { RapidFailProtection } from '../rapid-fail/rapid-fail-protection.js';
import { isFailure, type WorkerExitReason } from '../worker-process/worker-exit-reason.js';
import { WorkerProcess } from '../worker-process/worker-process.js';
import type { WorkerSpawner } from '../worker-process/worker-spawner.js';
import { applicationPoolTransitions, type ApplicationPoolEvent, type ApplicationPoolStateName } from './application-pool-states.js';
import { recycleEventIds, recycleEventValues } from './recycle-events.js';

/** An AlwaysRunning pool waits this long before replacing a worker that failed, so a broken app cannot spin. */
const alwaysRunningRestartDelayMs = 1_000;

export interface ApplicationPoolOptions {
  config: ApplicationPoolConfig;
  spawner: WorkerSpawner;
  clock: Clock;
  logger: Logger;
  eventLog: EventLog;
  nextWorkerId(): string;
  /** Tells the listener (through w3svc) whether the pool's queue takes requests. */
  publishQueueState(state: RequestQueueState): void;
}

export class ApplicationPool {
  readonly name: string;
  private config: ApplicationPoolConfig;
  private readonly machine: StateMachine<ApplicationPoolStateName, ApplicationPoolEvent>;
  private readonly logger: Logger;
  private readonly rapidFail: RapidFailProtection;
  private readonly workers = new Set<WorkerProcess>();
  /** New worker -> the worker it replaces and why, while an overlapped recycle is under way. */
  private readonly recycles = new Map<WorkerProcess, { old: WorkerProcess; trigger: RecycleReasonName }>();
  private disabledReason: string | undefined;
  private stoppedWaiters: Array<() => void> = [];
  private alwaysRunningTimer: TimerHandle | null = null;

  constructor(private readonly options: ApplicationPoolOptions) {
    this.config = options.config;
    this.name = options.config.name;
    this.logger = options.logger.child({ pool: this.name });
    this.machine = new StateMachine(`application pool '${this.name}'`, 'Stopped', applicationPoolTransitions, this.logger);
    this.rapidFail = new RapidFailProtection(this.rapidFailPolicy(), options.clock);
  }

  get state(): ApplicationPoolStateName {
    return this.machine.state;
  }

  get configuration(): ApplicationPoolConfig {
    return this.config;
  }

  /** Web garden size; maxProcesses 0 (one per NUMA node on Windows) means 1 here. */
  get maxProcesses(): number {
    return Math.max(1, this.config.processModel.maxProcesses);
  }

  get activeWorkers(): WorkerProcess[] {
    return [...this.workers].filter((worker) => worker.active);
  }

  status(): ApplicationPoolStatus {
    return {
      name: this.name,
      state: this.state,
      ...(this.disabledReason !== undefined ? { disabledReason: this.disabledReason } : {}),
      workers: this.workers.size,
    };
  }

  workerProcesses(): WorkerProcessInfo[] {
    return [...this.workers].filter((worker) => worker.pid !== 0).map((worker) => worker.info());
  }

  /** The workers that can answer control requests (ListWorkerRequests). */
  liveWorkers(): WorkerProcess[] {
    return [...this.workers].filter((worker) => worker.state === 'Running');
  }

  queueState(): RequestQueueState {
    const enabled = this.state === 'Started' || this.state === 'Starting';
    return enabled ? { applicationPool: this.name, enabled } : { applicationPool: this.name, enabled, disabledReason: 'AppOffline' };
  }

  // Stopped -> Starting -> Started: enable the queue; AlwaysRunning pools get their worker now.
  async start(reason: string): Promise<void> {
    if (this.state === 'Stopping') await this.whenStopped();
    if (this.state !== 'Stopped') return;
    this.machine.fire('start', reason);
    this.rapidFail.reset();
    this.disabledReason = undefined;
    this.options.publishQueueState(this.queueState());
    this.machine.fire('started', 'request queue enabled');
    this.ensureAlwaysRunning();
  }

  // Started -> Stopping -> Stopped: disable the queue (503 AppOffline), drain and stop every worker.
  async stop(reason: WorkerExitReason, description: string): Promise<void> {
    if (this.state === 'Starting' || this.state === 'Started') {
      this.machine.fire('stop', description);
      this.options.publishQueueState(this.queueState());
      this.stopAllWorkers(reason);
    }
    if (this.state === 'Stopping') await this.whenStopped();
  }

  /** Service shutdown: every worker gets StopWorker and its shutdownTimeLimit; the queue is left to the listener. */
  async shutdown(): Promise<void> {
    if (this.state === 'Starting' || this.state === 'Started') {
      this.machine.fire('stop', 'service shutdown');
      this.stopAllWorkers({ kind: 'shutdown' });
    }
    if (this.state === 'Stopping') await this.whenStopped();
  }

  /** httpsys saw requests waiting: NoWorker starts one if none is starting or running; AllWorkersBusy grows the web garden. */
  demand(message: WorkerDemanded): void {
    if (this.state !== 'Started') {
      this.logger.debug({ reason: message.reason }, `worker demanded for application pool '${this.name}' in state ${this.state}; ignored`);
      return;
    }
    const active = this.activeWorkers.length;
    if (message.reason === 'NoWorker' ? active === 0 : active < this.maxProcesses) {
      this.startWorker(`demand: ${message.reason}, ${message.queuedRequests} queued`);
    }
  }

  /**
   * Overlapped recycle (IIS default): a replacement starts first; when it is ready the old worker
   * stops taking requests and drains. With disallowOverlappingRotation the old one stops first.
   */
  recycle(trigger: RecycleReasonName, only?: WorkerProcess): number {
    if (this.state !== 'Started') return 0;
    const targets = (only ? [only] : this.liveWorkers()).filter((worker) => worker.state === 'Running' && !worker.replacedBy);
    for (const old of targets) {
      if (this.config.recycling.disallowOverlappingRotation) {
        void old.stop({ kind: 'recycle', trigger });
        continue;
      }
      const replacement = this.startWorker(`recycle (${trigger}) of worker ${old.pid}`);
      old.replacedBy = replacement;
      replacement.replacing = old;
      this.recycles.set(replacement, { old, trigger });
    }
    return targets.length;
  }

  /** Writes the recycle event if `logEventOnRecycle` has the reason's flag. */
  logRecycle(trigger: RecycleReasonName, pid: number): void {
    if (!this.config.recycling.logEventOnRecycle.includes(trigger)) return;
    this.options.eventLog.write(recycleEventIds[trigger], recycleEventValues(trigger, this.name, pid), {
      applicationPool: this.name,
      ...(pid !== 0 ? { pid } : {}),
      reason: `recycle (${trigger})`,
    });
  }

  private startWorker(why: string): WorkerProcess {
    const worker = new WorkerProcess({
      workerId: this.options.nextWorkerId(),
      applicationPool: this.config,
      spawner: this.options.spawner,
      clock: this.options.clock,
      logger: this.logger,
      eventLog: this.options.eventLog,
      idleShutdown: this.config.startMode !== 'AlwaysRunning',
      events: {
        ready: (ready) => this.onWorkerReady(ready),
        exited: (exited, reason) => this.onWorkerExited(exited, reason),
        recycleRequested: (requester, trigger) => {
          this.logRecycle(trigger, requester.pid);
          this.recycle(trigger, requester);
        },
        idle: (idle) => this.onWorkerIdle(idle),
      },
    });
    this.workers.add(worker);
    this.logger.info({ workerId: worker.workerId }, `starting a worker process for application pool '${this.name}' (${why})`);
    void worker.launch();
    return worker;
  }

  private onWorkerReady(worker: WorkerProcess): void {
    const recycle = this.recycles.get(worker);
    if (!recycle) return;
    this.recycles.delete(worker);
    worker.replacing = null;
    recycle.old.replacedBy = null;
    void recycle.old.stop({ kind: 'recycle', trigger: recycle.trigger });
  }

  private onWorkerIdle(worker: WorkerProcess): void {
    const minutes = Math.round(this.config.processModel.idleTimeout / 60_000);
    if (this.config.processModel.logEventOnProcessModel.includes('IdleTimeout')) {
      this.options.eventLog.write(5186, [worker.pid, this.name, minutes], { applicationPool: this.name, pid: worker.pid, reason: 'idle timeout' });
    }
    void worker.stop({ kind: 'idleTimeout' });
  }

  private onWorkerExited(worker: WorkerProcess, reason: WorkerExitReason): void {
    this.workers.delete(worker);
    const recycle = this.recycles.get(worker);
    if (recycle) {
      // The replacement never became ready: the old worker keeps serving (never killed on a timer alone).
      this.recycles.delete(worker);
      recycle.old.replacedBy = null;
      this.options.eventLog.write(5093, [this.name, recycle.old.pid], { applicationPool: this.name, pid: recycle.old.pid, reason: 'replacement failed to start' });
    }
    if (worker.replacedBy) {
      const replacement = worker.replacedBy;
      this.recycles.delete(replacement);
      replacement.replacing = null;
    }
    if (isFailure(reason) && this.state === 'Started' && this.rapidFail.recordFailure()) {
      this.disable();
    }
    if (this.state === 'Stopping' && this.workers.size === 0) {
      this.machine.fire('stopped', this.disabledReason ?? 'all worker processes have exited');
      for (const waiter of this.stoppedWaiters.splice(0)) waiter();
      return;
    }
    if (this.state === 'Started' && this.config.startMode === 'AlwaysRunning') {
      const delay = isFailure(reason) || reason.kind === 'spawnFailed' ? alwaysRunningRestartDelayMs : 0;
      this.scheduleAlwaysRunning(delay);
    }
  }

  // Rapid-fail protection tripped: Started -> Stopping (5002), queue answers 503 until an administrator starts the pool.
  private disable(): void {
    const { rapidFailProtectionMaxCrashes, rapidFailProtectionInterval } = this.config.failure;
    this.disabledReason = `disabled by rapid-fail protection: ${rapidFailProtectionMaxCrashes} failures within ${formatDuration(rapidFailProtectionInterval)}`;
    this.options.eventLog.write(5002, [this.name], { applicationPool: this.name, reason: this.disabledReason });
    this.machine.fire('disable', this.disabledReason);
    this.options.publishQueueState(this.queueState());
    this.alwaysRunningTimer?.cancel();
    this.stopAllWorkers({ kind: 'rapidFailProtection' });
  }

  private stopAllWorkers(reason: WorkerExitReason): void {
    this.alwaysRunningTimer?.cancel();
    this.alwaysRunningTimer = null;
    for (const worker of this.workers) void worker.stop(reason);
    if (this.workers.size === 0 && this.state === 'Stopping') {
      this.machine.fire('stopped', this.disabledReason ?? 'no worker processes were running');
      for (const waiter of this.stoppedWaiters.splice(0)) waiter();
    }
  }

  private scheduleAlwaysRunning(delayMs: number): void {
    if (delayMs === 0) return this.ensureAlwaysRunning();
    this.alwaysRunningTimer?.cancel();
    this.alwaysRunningTimer = this.options.clock.setTimeout(() => {
      this.alwaysRunningTimer = null;
      this.ensureAlwaysRunning();
    }, delayMs);
  }

  /** AlwaysRunning: one worker is started at pool start and kept running without waiting for traffic. */
  private ensureAlwaysRunning(): void {
    if (this.state !== 'Started' || this.config.startMode !== 'AlwaysRunning') return;
    if (this.activeWorkers.length === 0) this.startWorker('startMode AlwaysRunning');
  }

  private whenStopped(): Promise<void> {
    if (this.state === 'Stopped') return Promise.resolve();
    return new Promise((resolve) => this.stoppedWaiters.push(resolve));
  }

  private rapidFailPolicy() {
    return {
      enabled: this.config.failure.rapidFailProtection,
      maxFailures: this.config.failure.rapidFailProtectionMaxCrashes,
      intervalMs: this.config.failure.rapidFailProtectionInterval,
    };
  }
}

function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds % 60 !== 0) return seconds === 1 ? '1 second' : `${seconds} seconds`;
  return seconds === 60 ? '1 minute' : `${seconds / 60} minutes`;
}
