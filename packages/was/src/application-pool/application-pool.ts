// One application pool at runtime: its state machine, its workers (demand start, web garden,
// AlwaysRunning), recycling, idle shutdown or suspension, live reconfiguration and rapid-fail protection.
import { startupMark } from '@poolhost/common/startup-trace';
import { StateMachine, type Logger } from '@poolhost/common';
import type { ApplicationPool as ApplicationPoolConfig, ListenerProtocol, RecycleReason } from '@poolhost/config';
import type { ApplicationPoolCounterSet, ApplicationPoolStatus, WorkerProcessCounterSet, RequestQueueState, StandbyPromoted, WorkerDemanded, WorkerProcessInfo } from '@poolhost/protocol';
import type { Clock, TimerHandle } from '@poolhost/common';
import type { EventLog } from '../event-log/event-log.js';
import { RapidFailProtection } from '../rapid-fail/rapid-fail-protection.js';
import type { MemorySampler } from '../recycling/memory-sampler.js';
import { isFailure, type WorkerExitReason } from '../worker-process/worker-exit-reason.js';
import { WorkerProcess } from '../worker-process/worker-process.js';
import type { WorkerSpawner } from '../worker-process/worker-spawner.js';
import { applicationPoolTransitions, type ApplicationPoolEvent, type ApplicationPoolStateName } from './application-pool-states.js';
import { recycleEventIds, recycleEventValues } from './recycle-events.js';
import { requiresRestart } from './restart-attributes.js';
import { WorkerRotation } from './worker-rotation.js';
import type { WorkerRole } from './worker-role.js';
import { workerExitActions, type WorkerExitAction, type WorkerExitFacts } from './worker-exit-policy.js';
import { ApplicationPoolCounters } from './application-pool-counters.js';
import type { CgroupSubtree } from '../isolation/cgroup-subtree.js';
import { PoolIsolation } from '../isolation/pool-isolation.js';

/**
 * After a worker failed (or could not be spawned), the pool's next worker starts no sooner than this:
 * an AlwaysRunning pool's replacement, and a demand start for requests still queued when a worker
 * failed before it was ready — so a broken start fails once a second at most, and rapid-fail
 * protection sees failures at the pace IIS's process starts would make them, not as a loop.
 */
const failedWorkerRestartDelayMs = 1_000;

export interface ApplicationPoolOptions {
  config: ApplicationPoolConfig;
  spawner: WorkerSpawner;
  clock: Clock;
  logger: Logger;
  eventLog: EventLog;
  memorySampler: MemorySampler;
  nextWorkerId(): string;
  /** Tells the listener adapters whether the pool's queue takes requests. */
  publishQueueState(state: RequestQueueState): void;
  /** Tells the listener adapters they may ask for a worker of the pool again (a worker exited or became ready). */
  publishListenerChannelAvailable?(applicationPool: string): void;
  /** The listener protocols the pool's workers attach to (absent: http). */
  listenerProtocols?(applicationPool: string): ListenerProtocol[];
  /** The instance's cgroup subtree; null or absent: no cgroups (the pool's limits are reported as not enforced). */
  cgroups?: CgroupSubtree | null;
  /** Tests and demos: the CPU monitor's interval instead of `<cpu resetInterval>`. */
  cpuResetIntervalMs?: number;
  /** The pool's own configuration file text for a new worker; null: workers read applicationHost.config. */
  poolConfiguration?: (applicationPool: string) => string | null;
}

export class ApplicationPool {
  readonly name: string;
  private config: ApplicationPoolConfig;
  private readonly machine: StateMachine<ApplicationPoolStateName, ApplicationPoolEvent>;
  private readonly logger: Logger;
  private readonly rapidFail: RapidFailProtection;
  /** Every worker of the pool, live or stopping, with its role: startWorker(), assignRole() and the worker's exit write it. */
  private readonly workers = new Map<WorkerProcess, WorkerRole>();
  private readonly rotation: WorkerRotation;
  /**
   * Workers a recycle found still Starting, with the trigger: each is rotated (overlapped or not, as the
   * pool says) once it reports WorkerReady; one that fails to start needs no recycle. The trigger's event
   * was written when the recycle was asked for.
   */
  private readonly recycleWhenReady = new Map<WorkerProcess, RecycleReason>();
  private disabledReason: string | undefined;
  private stoppedWaiters: Array<() => void> = [];
  private alwaysRunningTimer: TimerHandle | null = null;
  /** APP_POOL_WAS counters. */
  readonly counters = new ApplicationPoolCounters();
  /** A worker failed before it was ready: demand starts wait until then (failedWorkerRestartDelayMs). */
  private demandHeldUntil = 0;
  private heldDemandTimer: TimerHandle | null = null;
  /** Unhealthy workers waiting for their replacement to be started (unhealthyReplacementDelay). */
  private readonly unhealthyRecycles = new Map<WorkerProcess, TimerHandle>();
  /** Crashed workers whose place httpsys has handed to the standby (StandbyPromoted) before their exit reached was. */
  private readonly tookOverByStandby = new Set<WorkerProcess>();
  /** The pool's cgroup, its limits and CPU monitor. */
  private readonly isolation: PoolIsolation;

  constructor(private readonly options: ApplicationPoolOptions) {
    this.config = options.config;
    this.name = options.config.name;
    this.logger = options.logger.child({ pool: this.name });
    this.machine = new StateMachine(`application pool '${this.name}'`, 'Stopped', applicationPoolTransitions, this.logger);
    this.rapidFail = new RapidFailProtection(this.rapidFailPolicy(), options.clock);
    this.isolation = new PoolIsolation(this.name, {
      subtree: options.cgroups ?? null,
      clock: options.clock,
      logger: this.logger,
      eventLog: options.eventLog,
      ...(options.cpuResetIntervalMs !== undefined ? { cpuResetIntervalMs: options.cpuResetIntervalMs } : {}),
      killWorkers: () => this.killWorkersOverCpuLimit(),
    });
    this.rotation = new WorkerRotation({
      startWorker: (why, role) => this.startWorker(why, role),
      roleOf: (worker) => this.workers.get(worker),
      assignRole: (worker, role) => this.assignRole(worker, role),
      failedToOverlap: (old) => this.options.eventLog.write(5093, [this.name, old.pid], { applicationPool: this.name, pid: old.pid, reason: 'replacement failed to start' }),
    });
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

  /** Live workers that take requests (the standby does not, until promoted). */
  get activeWorkers(): WorkerProcess[] {
    const active: WorkerProcess[] = [];
    for (const [worker, role] of this.workers) if (worker.active && role !== 'standby') active.push(worker);
    return active;
  }

  private get standbyWorker(): WorkerProcess | undefined {
    for (const [worker, role] of this.workers) if (worker.active && role === 'standby') return worker;
    return undefined;
  }

  private assignRole(worker: WorkerProcess, role: WorkerRole): void {
    if (this.workers.has(worker)) this.workers.set(worker, role);
  }

  /**
   * standbyWorker="true" (poolhost extension): once the pool has a worker, one more is started, loaded and
   * attached to the queue as a standby. httpsys dispatches to it only when a worker crashes, so the crash
   * costs no process start; httpsys says so (StandbyPromoted), the pool makes it active (standbyPromoted(),
   * or the exit policy when the crashed worker's exit comes first) and starts the next standby. Every recycle of the
   * pool replaces it too (recycle()), so it never serves what the recycle replaced.
   */
  private ensureStandby(): void {
    // While a recycle's new workers are held (non-overlapped) or starting (overlapped), the standby waits:
    // it is started once they are ready, with what they loaded.
    if (!this.config.standbyWorker || this.state !== 'Started' || this.rotation.holdsNewWorkers || this.rotation.replacesWorkers) return;
    // It stands by for a worker that is ready (a worker still starting may yet fail, or be held).
    if (!this.activeWorkers.some((worker) => worker.attached)) return;
    // One standby at a time, a stopping one included: httpsys would promote the older of two after a crash.
    for (const role of this.workers.values()) if (role === 'standby') return;
    this.startWorker('standby worker', 'standby');
  }

  status(): ApplicationPoolStatus {
    return {
      name: this.name,
      state: this.state,
      ...(this.disabledReason !== undefined ? { disabledReason: this.disabledReason } : {}),
      workers: this.workers.size,
      isolation: this.isolation.info(),
    };
  }

  counterSet(): ApplicationPoolCounterSet {
    return this.counters.snapshot(this.name, this.state, this.disabledReason !== undefined, this.activeWorkers.length, this.rapidFail.count);
  }

  workerCounterSets(): WorkerProcessCounterSet[] {
    return [...this.workers.keys()].filter((worker) => worker.pid !== 0).map((worker) => worker.counterSet());
  }

  workerProcesses(): WorkerProcessInfo[] {
    const cgroup = this.isolation.cgroupPath;
    const listed: WorkerProcessInfo[] = [];
    for (const [worker, role] of this.workers) if (worker.pid !== 0) listed.push({ ...worker.info(), role, ...(cgroup ? { cgroup } : {}) });
    return listed;
  }

  /** The workers that can answer control requests (ListWorkerRequests); a suspended one cannot. */
  /** Resolves when every stopping worker has stopped taking requests (bounded by `timeoutMs`); a standby never took any. */
  async stoppingWorkersDetached(timeoutMs: number): Promise<void> {
    const stopping = [...this.workers].filter(([worker, role]) => worker.state === 'Stopping' && role !== 'standby').map(([worker]) => worker);
    if (stopping.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(stopping.map((worker) => worker.stoppedTakingRequests())),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
    ]);
    clearTimeout(timer);
  }

  liveWorkers(): WorkerProcess[] {
    return [...this.workers.keys()].filter((worker) => worker.state === 'Running');
  }

  queueState(): RequestQueueState {
    const enabled = this.state === 'Started' || this.state === 'Starting';
    if (enabled) return { applicationPool: this.name, enabled };
    // disabledReason is set by rapid-fail protection alone.
    return { applicationPool: this.name, enabled, disabledReason: 'AppOffline', ...(this.disabledReason !== undefined ? { rapidFailProtection: true as const } : {}) };
  }

  // Stopped -> Starting -> Started: enable the queue; AlwaysRunning pools get their worker now.
  async start(reason: string): Promise<void> {
    if (this.state === 'Stopping') await this.whenStopped();
    if (this.state !== 'Stopped') return;
    this.machine.fire('start', reason);
    this.isolation.start(this.config);
    this.rapidFail.reset();
    this.demandHeldUntil = 0;
    this.disabledReason = undefined;
    this.options.publishQueueState(this.queueState());
    this.machine.fire('started', 'request queue enabled');
    this.counters.startedAt = this.options.clock.now();
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

  /**
   * Service shutdown, or the pool was removed from the configuration: every worker gets StopWorker
   * and its shutdownTimeLimit; the queue is left to the listener (it is gone from the URL groups).
   */
  async shutdown(reason: WorkerExitReason = { kind: 'shutdown' }, description = 'service shutdown'): Promise<void> {
    if (this.state === 'Starting' || this.state === 'Started') {
      this.machine.fire('stop', description);
      this.stopAllWorkers(reason);
    }
    if (this.state === 'Stopping') await this.whenStopped();
  }

  /** httpsys saw requests waiting: NoWorker starts one if none is starting or running; AllWorkersBusy grows the web garden. */
  demand(message: WorkerDemanded): void {
    if (this.state !== 'Started') {
      this.logger.debug({ reason: message.reason }, `worker demanded for application pool '${this.name}' in state ${this.state}; ignored`);
      return;
    }
    this.resumeSuspended(`worker demanded (${message.reason})`);
    if (this.rotation.holdsNewWorkers) {
      this.rotation.holdDemand();
      return;
    }
    const waitMs = this.demandHeldUntil - this.options.clock.now();
    if (waitMs > 0) {
      this.heldDemandTimer ??= this.options.clock.setTimeout(() => {
        this.heldDemandTimer = null;
        this.demand(message);
      }, waitMs);
      return;
    }
    const active = this.activeWorkers.length;
    if (message.reason === 'NoWorker' ? active === 0 : active < this.maxProcesses) {
      this.startWorker(`demand: ${message.reason}, ${message.queuedRequests} queued`);
    }
  }

  /**
   * httpsys handed a crashed worker's queue to the standby (StandbyPromoted): httpsys decides, since it
   * dispatches, and the pool follows — the standby is its active worker from now on, and the next standby
   * starts. The crashed worker's exit may have reached was first: its exit policy promoted the standby
   * then, by the same rule httpsys applies (an attached worker lost without DETACH), and this finds it
   * active already. So the pool is right whichever comes first, and without the event (w3svc down).
   */
  standbyPromoted(message: StandbyPromoted): void {
    if (this.state !== 'Started') return;
    let promoted: WorkerProcess | undefined;
    let crashed: WorkerProcess | undefined;
    for (const worker of this.workers.keys()) {
      if (worker.workerId === message.workerId) promoted = worker;
      if (worker.workerId === message.crashedWorkerId) crashed = worker;
    }
    if (!promoted || this.workers.get(promoted) !== 'standby') {
      this.logger.debug({ workerPid: message.pid, crashedPid: message.crashedPid }, `StandbyPromoted for worker ${message.pid} of application pool '${this.name}': already promoted on worker ${message.crashedPid}'s exit`);
      return;
    }
    if (crashed) this.tookOverByStandby.add(crashed);
    this.promote(promoted, message.crashedPid, 'StandbyPromoted from httpsys');
    this.ensureStandby();
  }

  /** A request reached the pool's queue (RequestQueueActive): a suspended worker must run to answer it. */
  queueActive(): void {
    this.resumeSuspended('request queue active');
  }

  /**
   * Recycles the given worker, or every worker, and returns how many: the running ones are rotated now;
   * the ones still starting (a demand start, an earlier recycle's replacement) are marked and rotated once
   * they report WorkerReady — they may already have loaded what the recycle is meant to replace. The
   * pool's standby loaded the same configuration and code: it is stopped with any recycle of the pool or
   * of one of its serving workers, or alone when it is the one named, and the next standby is started
   * once the recycle's new workers are ready (ensureStandby). The event is written (if logEventOnRecycle
   * has the flag) and the recycle counted once, only when something is recycled.
   */
  recycle(trigger: RecycleReason, only?: WorkerProcess, options: { logEvent?: boolean } = {}): number {
    if (this.state !== 'Started') return 0;
    const candidates = only ? [only] : [...this.workers.keys()];
    const serving = (worker: WorkerProcess) => this.workers.has(worker) && this.workers.get(worker) !== 'standby';
    const targets = candidates.filter((worker) => (worker.state === 'Running' || worker.state === 'Suspended') && serving(worker) && !this.rotation.isRotating(worker));
    const starting = candidates.filter((worker) => worker.state === 'Starting' && serving(worker) && !this.recycleWhenReady.has(worker));
    const standby = this.standbyWorker;
    const standbyRecycled = standby !== undefined && (only === undefined || only === standby || targets.length + starting.length > 0);
    if (targets.length === 0 && starting.length === 0 && !standbyRecycled) return 0;
    if (options.logEvent ?? true) this.logRecycle(trigger, only ? only.pid : 0);
    this.counters.recycled(trigger);
    for (const worker of starting) {
      this.recycleWhenReady.set(worker, trigger);
      this.logger.info({ trigger, workerId: worker.workerId, workerPid: worker.pid }, `worker process ${worker.pid || worker.workerId} of application pool '${this.name}' is still starting: it is recycled once it is ready (${trigger})`);
    }
    if (standbyRecycled) this.stopStandby(standby, trigger);
    if (targets.length > 0) this.rotate(targets, trigger);
    return targets.length + starting.length + (standbyRecycled ? 1 : 0);
  }

  /**
   * The standby takes no requests: a recycle simply stops it (StopWorker; it detaches and exits), also
   * while it is still starting. Its exit, or the recycle's new workers becoming ready, starts the next.
   */
  private stopStandby(standby: WorkerProcess, trigger: RecycleReason): void {
    this.logger.info({ trigger, workerId: standby.workerId, workerPid: standby.pid }, `standby worker process ${standby.pid || standby.workerId} of application pool '${this.name}' is replaced (${trigger})`);
    void standby.stop({ kind: 'recycle', trigger });
  }

  private rotate(targets: WorkerProcess[], trigger: RecycleReason): void {
    this.logger.info({ trigger, workers: targets.map((worker) => worker.pid) }, `recycling ${targets.length} worker process(es) of application pool '${this.name}' (${trigger})`);
    this.rotation.rotate(targets, trigger, !this.config.recycling.disallowOverlappingRotation, this.replacementsAllowed(targets));
  }

  /**
   * How many of `targets` an overlapped recycle may replace: the garden's size less the workers still
   * starting outside them (earlier replacements, demand starts), which will serve too. Without this, a
   * maxProcesses shrink that lands while a replacement starts leaves one worker per old worker.
   */
  private replacementsAllowed(targets: WorkerProcess[]): number {
    let starting = 0;
    for (const [worker, role] of this.workers) if (worker.state === 'Starting' && role !== 'standby' && !targets.includes(worker)) starting++;
    return Math.max(0, this.maxProcesses - starting);
  }

  /**
   * Live reconfiguration: the pool takes its new settings. A change that needs new workers recycles
   * them (overlapped, 5080) unless disallowRotationOnConfigChange; new workers always start with the
   * new settings.
   */
  reconfigure(next: ApplicationPoolConfig, changedAttributes: string[]): void {
    this.config = next;
    this.rapidFail.updatePolicy(this.rapidFailPolicy());
    if (this.state !== 'Stopped') this.isolation.reconfigure(next);
    const restart = changedAttributes.filter(requiresRestart);
    this.logger.info({ attributes: changedAttributes }, `application pool '${this.name}' reconfigured: ${changedAttributes.join(', ')}`);
    if (restart.length > 0) {
      if (next.recycling.disallowRotationOnConfigChange) {
        this.logger.info(`application pool '${this.name}': running workers keep their settings (disallowRotationOnConfigChange)`);
      } else {
        this.replaceWorkersForConfiguration();
      }
    }
    this.ensureAlwaysRunning();
  }

  /**
   * The pool's applications changed (one added or moved to it, a virtual directory added, changed or
   * removed). IIS's w3wp picks that up by itself; a poolhost worker reads its pool's applications once,
   * when it starts, and would answer 404 for an application it never loaded. So the workers are
   * replaced (overlapped, 5080), even with disallowRotationOnConfigChange: that attribute keeps settings
   * from rotating workers, and without new workers the new application would not be served at all.
   */
  applicationsChanged(): void {
    this.logger.info(`application pool '${this.name}': its applications changed; its workers are replaced to load them`);
    this.replaceWorkersForConfiguration();
  }

  private replaceWorkersForConfiguration(): void {
    // 5080 whenever workers run old settings, even when all of them are already being replaced or marked
    // (a worker still starting is recycled once ready, without an event of its own), or only a standby.
    if (this.state === 'Started' && (this.activeWorkers.length > 0 || this.standbyWorker)) this.logRecycle('ConfigChange', 0);
    this.recycle('ConfigChange', undefined, { logEvent: false });
  }

  /** Writes the recycle event if `logEventOnRecycle` has the reason's flag. */
  logRecycle(trigger: RecycleReason, pid: number): void {
    if (!this.config.recycling.logEventOnRecycle.includes(trigger)) return;
    this.options.eventLog.write(recycleEventIds[trigger], recycleEventValues(trigger, this.name, pid), {
      applicationPool: this.name,
      ...(pid !== 0 ? { pid } : {}),
      reason: `recycle (${trigger})`,
    });
  }

  private startWorker(why: string, role: WorkerRole = 'active'): WorkerProcess {
    startupMark('was startWorker');
    const standby = role === 'standby';
    const worker = new WorkerProcess({
      workerId: this.options.nextWorkerId(),
      standby,
      applicationPool: this.config,
      spawner: this.options.spawner,
      clock: this.options.clock,
      logger: this.logger,
      eventLog: this.options.eventLog,
      memorySampler: this.options.memorySampler,
      idleShutdown: this.config.startMode !== 'AlwaysRunning' && !standby,
      placeProcess: (pid) => this.isolation.placeProcess(pid),
      ...(this.options.poolConfiguration ? { poolConfiguration: () => this.options.poolConfiguration!(this.name) } : {}),
      ...(this.options.listenerProtocols ? { listenerProtocols: this.options.listenerProtocols(this.name) } : {}),
      explainCrash: (exit) => this.isolation.explainCrash(exit),
      events: {
        ready: (ready) => this.onWorkerReady(ready),
        exited: (exited, reason) => this.onWorkerExited(exited, reason),
        recycleRequested: (requester, trigger, detail, applicationFailedToLoad) => {
          if (applicationFailedToLoad) return this.onApplicationUnhealthy(requester, detail);
          if (this.recycle(trigger, requester) > 0) this.logger.info({ workerPid: requester.pid, trigger }, `worker process ${requester.pid} recycled: ${detail}`);
        },
        idle: (idle) => this.onWorkerIdle(idle),
      },
    });
    this.workers.set(worker, role);
    this.counters.workerCreated(this.activeWorkers.length);
    // The spawn happens inside launch()'s first, synchronous part (when no spare and no net.tcp connection is
    // awaited): the line about it is written after it, off a demand start's path.
    void worker.launch();
    this.logger.info({ workerId: worker.workerId }, `starting a worker process for application pool '${this.name}' (${why})`);
    return worker;
  }

  private onWorkerReady(worker: WorkerProcess): void {
    // A replacement that is ready first lets the worker it replaces go.
    this.rotation.workerReady(worker);
    this.options.publishListenerChannelAvailable?.(this.name);
    // A recycle asked for while it was starting (its event and counter were written then).
    const trigger = this.recycleWhenReady.get(worker);
    this.recycleWhenReady.delete(worker);
    if (trigger !== undefined && this.state === 'Started' && worker.state === 'Running' && !this.rotation.isRotating(worker)) this.rotate([worker], trigger);
    if (this.workers.get(worker) !== 'standby') this.ensureStandby();
  }

  /**
   * An application of the worker reported itself unhealthy (its entry script failed to load): IIS's
   * 2299, then an overlapped recycle (5078) — not a failure, so rapid-fail protection does not count
   * it and the pool's other applications keep serving. The replacement is started no sooner than
   * unhealthyReplacementDelay after the unhealthy worker was, so a broken application is retried at
   * the rate rapid-fail protection tolerates, never in a loop (docs/process-model.md).
   */
  private onApplicationUnhealthy(worker: WorkerProcess, detail: string): void {
    if (this.unhealthyRecycles.has(worker) || this.state !== 'Started') return;
    this.options.eventLog.write(2299, [detail], { applicationPool: this.name, pid: worker.pid, reason: 'application reported unhealthy' });
    const waitMs = Math.max(0, unhealthyReplacementDelay(this.config) - (this.options.clock.now() - worker.startedAtMs));
    this.logger.info({ workerPid: worker.pid, waitMs }, `worker process ${worker.pid} of application pool '${this.name}' will be recycled in ${waitMs} ms: ${detail}`);
    this.unhealthyRecycles.set(
      worker,
      this.options.clock.setTimeout(() => {
        this.unhealthyRecycles.delete(worker);
        this.recycle('IsapiUnhealthy', worker);
      }, waitMs),
    );
  }

  // idleTimeout reached: Terminate stops the worker (5186); Suspend freezes it until the next request.
  private onWorkerIdle(worker: WorkerProcess): void {
    if (this.workers.get(worker) === 'standby') return;
    const { idleTimeout, idleTimeoutAction, logEventOnProcessModel } = worker.configuration.processModel;
    const minutes = Math.round(idleTimeout / 60_000);
    if (idleTimeoutAction === 'Suspend') {
      this.logger.info({ workerPid: worker.pid }, `worker process ${worker.pid} of application pool '${this.name}' suspended after ${minutes} minutes without requests`);
      worker.suspend();
      return;
    }
    if (logEventOnProcessModel.includes('IdleTimeout')) {
      this.options.eventLog.write(5186, [worker.pid, this.name, minutes], { applicationPool: this.name, pid: worker.pid, reason: 'idle timeout' });
    }
    void worker.stop({ kind: 'idleTimeout' });
  }

  private resumeSuspended(why: string): void {
    for (const worker of this.workers.keys()) {
      if (worker.state !== 'Suspended') continue;
      this.logger.info({ workerPid: worker.pid }, `worker process ${worker.pid} of application pool '${this.name}' resumed (${why})`);
      worker.resume(why);
    }
  }

  private onWorkerExited(worker: WorkerProcess, reason: WorkerExitReason): void {
    const role = this.workers.get(worker) ?? 'active';
    this.workers.delete(worker);
    this.unhealthyRecycles.get(worker)?.cancel();
    this.unhealthyRecycles.delete(worker);
    this.recycleWhenReady.delete(worker);
    const standbyTookOver = this.tookOverByStandby.delete(worker);
    this.counters.workerExited(reason, worker.killedAtShutdownTimeLimit, this.options.clock.now());
    const heldDemandReleased = this.rotation.workerExited(worker);
    if (this.state === 'Stopping' && this.workers.size === 0) {
      this.machine.fire('stopped', this.disabledReason ?? 'all worker processes have exited');
      this.counters.startedAt = null;
      this.isolation.stop();
      for (const waiter of this.stoppedWaiters.splice(0)) waiter();
      return;
    }
    const exit: WorkerExitFacts = { role, reason, attached: worker.attached, standbyTookOver, heldDemandReleased, alwaysRunning: this.config.startMode === 'AlwaysRunning' };
    // The exit policy (worker-exit-policy.ts): a pool no longer started (stopping, or disabled by the
    // failure just counted) does nothing more.
    for (const action of workerExitActions(exit)) {
      if (this.state !== 'Started') return;
      this.applyExitAction(action, worker, exit);
    }
  }

  private applyExitAction(action: WorkerExitAction, worker: WorkerProcess, exit: WorkerExitFacts): void {
    switch (action) {
      case 'promoteStandby': {
        // httpsys handed the crashed worker's queue to the standby the moment its data connection dropped
        // without DETACH, and says so (StandbyPromoted); that has not reached was yet (or never will): the
        // exit promotes the standby here, as httpsys did, and standbyPromoted() finds it active already.
        // Only a standby that has attached: httpsys keeps the others out of its standby list, so one still
        // starting stays a standby there, and here too (the pool then has no serving worker: a demand starts one).
        const standby = this.standbyWorker;
        if (standby?.attached) this.promote(standby, worker.pid, 'its exit');
        return;
      }
      case 'countFailure':
        if (this.rapidFail.recordFailure()) this.disable();
        return;
      case 'delayDemand':
        this.demandHeldUntil = this.options.clock.now() + failedWorkerRestartDelayMs;
        return;
      case 'announceListenerChannel':
        this.options.publishListenerChannelAvailable?.(this.name);
        return;
      case 'releaseHeldDemand':
        if (this.activeWorkers.length === 0) this.startWorker('demand held during a non-overlapped recycle');
        return;
      case 'startStandby':
        this.ensureStandby();
        return;
      case 'restartAlwaysRunning':
        this.scheduleAlwaysRunning(isFailure(exit.reason) || exit.reason.kind === 'spawnFailed' ? failedWorkerRestartDelayMs : 0);
        return;
    }
  }

  /** The standby takes requests from now on: it counts as the pool's worker, and the next standby may start. */
  private promote(standby: WorkerProcess, crashedPid: number, how: string): void {
    this.assignRole(standby, 'active');
    this.logger.info({ workerPid: standby.pid, crashedPid }, `standby worker process ${standby.pid} of application pool '${this.name}' took over from crashed worker ${crashedPid} (${how})`);
  }

  // Rapid-fail protection tripped: Started -> Stopping (5002), queue answers 503 until an administrator starts the pool.
  private disable(): void {
    const { rapidFailProtectionMaxCrashes, rapidFailProtectionInterval } = this.config.failure;
    this.disabledReason = `disabled by rapid-fail protection: ${rapidFailProtectionMaxCrashes} failures within ${formatDuration(rapidFailProtectionInterval)}`;
    this.options.eventLog.write(5002, [this.name], { applicationPool: this.name, reason: this.disabledReason });
    this.machine.fire('disable', this.disabledReason);
    this.options.publishQueueState(this.queueState());
    this.stopAllWorkers({ kind: 'rapidFailProtection' });
  }

  private stopAllWorkers(reason: WorkerExitReason): void {
    this.alwaysRunningTimer?.cancel();
    this.alwaysRunningTimer = null;
    this.heldDemandTimer?.cancel();
    this.heldDemandTimer = null;
    this.rotation.clear();
    for (const worker of this.workers.keys()) void worker.stop(reason);
    if (this.workers.size === 0 && this.state === 'Stopping') {
      this.machine.fire('stopped', this.disabledReason ?? 'no worker processes were running');
      this.counters.startedAt = null;
      this.isolation.stop();
      for (const waiter of this.stoppedWaiters.splice(0)) waiter();
    }
  }

  /**
   * `<cpu action="KillW3wp">`: the pool used more than its limit over resetInterval (5025 is written). Its
   * workers are killed; the pool stays started and the next request starts a new one, as in IIS.
   */
  private killWorkersOverCpuLimit(): void {
    if (this.state !== 'Started') return;
    const pids = [...this.workers.keys()].map((worker) => worker.pid).filter((pid) => pid !== 0);
    this.logger.warn({ workers: pids }, `application pool '${this.name}' exceeded its CPU limit: worker process(es) ${pids.join(', ')} killed (KillW3wp)`);
    this.rotation.clear();
    for (const worker of [...this.workers.keys()]) worker.terminate({ kind: 'cpuLimit' });
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
    if (this.state !== 'Started' || this.config.startMode !== 'AlwaysRunning' || this.rotation.holdsNewWorkers) return;
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

/**
 * How long after an unhealthy worker started its replacement may start: rapidFailProtectionInterval /
 * rapidFailProtectionMaxCrashes (5 min / 5 = 60 s by default) — the restart rate IIS tolerates from a
 * pool without judging it broken — kept within 1 s … 60 s.
 */
export function unhealthyReplacementDelay(config: ApplicationPoolConfig): number {
  const { rapidFailProtectionInterval, rapidFailProtectionMaxCrashes } = config.failure;
  return Math.min(60_000, Math.max(1_000, Math.floor(rapidFailProtectionInterval / Math.max(1, rapidFailProtectionMaxCrashes))));
}

function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds % 60 !== 0) return seconds === 1 ? '1 second' : `${seconds} seconds`;
  return seconds === 60 ? '1 minute' : `${seconds / 60} minutes`;
}
