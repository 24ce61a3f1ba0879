// One pool's isolation at runtime: its cgroup (made at pool start, removed at pool stop), the limits
// written into it from `<cpu>`, memoryLimit and taskLimit (again on every configuration change), the
// CPU monitor, and what its counters explain about a worker's death (the cgroup's OOM killer).
import type { Clock, Logger, TimerHandle } from '@poolhost/common';
import type { ApplicationPool as ApplicationPoolConfig, Cpu } from '@poolhost/config';
import type { ApplicationPoolIsolation } from '@poolhost/protocol';
import type { EventLog } from '../event-log/event-log.js';
import type { WorkerExit } from '../worker-process/worker-spawner.js';
import type { WorkerExitReason } from '../worker-process/worker-exit-reason.js';
import type { CgroupSubtree } from './cgroup-subtree.js';
import { CpuMonitor, monitorsCpu } from './cpu-monitor.js';
import type { PoolCgroup } from './pool-cgroup.js';
import { cpuList, poolLimits } from './pool-limits.js';

/** How often pids.events is looked at for refused forks. */
const taskLimitCheckMs = 2_000;

export interface PoolIsolationOptions {
  /** null: no cgroups here (everything runs; the limits are reported as not enforced). */
  subtree: CgroupSubtree | null;
  clock: Clock;
  logger: Logger;
  eventLog: EventLog;
  /** Tests and demos: the CPU monitor's interval instead of resetInterval (whole minutes in IIS). */
  cpuResetIntervalMs?: number;
  /** KillW3wp: end every worker of the pool (the pool stays started; the next request starts one). */
  killWorkers(): void;
}

export class PoolIsolation {
  private group: PoolCgroup | null = null;
  private config: ApplicationPoolConfig | null = null;
  private readonly monitor: CpuMonitor;
  /** OOM kills already attributed to a worker. */
  private oomKillsSeen = 0;
  private taskLimitHitsSeen = 0;
  private failure: string | undefined;
  private taskLimitTimer: TimerHandle | null = null;

  constructor(
    private readonly name: string,
    private readonly options: PoolIsolationOptions,
  ) {
    this.monitor = new CpuMonitor({
      clock: options.clock,
      cpuCount: options.subtree?.onlineCpus.length ?? 1,
      readUsageUs: () => this.group?.usage().cpuUsageUs ?? null,
      exceeded: (used, action) => this.cpuLimitExceeded(used, action),
    });
  }

  /** Pool start: the group is made and its limits written. */
  start(config: ApplicationPoolConfig): void {
    this.config = config;
    const subtree = this.options.subtree;
    if (subtree?.available && !this.group) {
      try {
        this.group = subtree.poolGroup(this.name);
        const usage = this.group.usage();
        this.oomKillsSeen = usage.oomKills;
        this.taskLimitHitsSeen = usage.taskLimitHits;
        this.failure = undefined;
      } catch (error) {
        this.failure = error instanceof Error ? error.message : String(error);
        this.options.logger.error({ err: error }, `application pool '${this.name}' runs without its cgroup: ${this.failure}`);
      }
    }
    this.apply(config);
  }

  /** Configuration change: limits are rewritten in place; running workers keep running. */
  reconfigure(config: ApplicationPoolConfig): void {
    const cpuChanged = JSON.stringify(config.cpu) !== JSON.stringify(this.config?.cpu);
    this.config = config;
    if (this.group || this.failure !== undefined || cpuChanged) this.apply(config);
  }

  /** Pool stopped: the monitor stops, what is left in the group is ended, the group removed. */
  stop(): void {
    this.monitor.stop();
    this.taskLimitTimer?.cancel();
    this.taskLimitTimer = null;
    if (this.group) this.options.subtree?.removePoolGroup(this.name);
    this.group = null;
  }

  get cgroupPath(): string {
    return this.group?.path ?? '';
  }

  /** Called by the spawner right after a worker's spawn. */
  placeProcess(pid: number): void {
    this.group?.addProcess(pid);
  }

  /** A worker died unasked: the cgroup's OOM killer did it if the group counts a new OOM kill. */
  explainCrash(exit: WorkerExit): WorkerExitReason | null {
    if (!this.group || !this.config || exit.signal !== 'SIGKILL') return null;
    const oomKills = this.group.usage().oomKills;
    if (oomKills <= this.oomKillsSeen) return null;
    this.oomKillsSeen = oomKills;
    return { kind: 'memoryLimit', limitKb: this.config.memoryLimit };
  }

  /** What appcmd shows: the limits in force, the cgroup, its usage. */
  info(): ApplicationPoolIsolation {
    const usage = this.group?.usage();
    const unenforced = this.unenforcedLimits();
    return {
      cgroup: this.group?.path ?? '',
      ...(this.options.subtree?.available ? {} : { cgroupUnavailable: this.options.subtree?.unenforceable.join('; ') || 'cgroups are not used' }),
      ...(unenforced.length > 0 ? { unenforced } : {}),
      ...(usage?.cpuUsageUs != null ? { cpuTimeMs: Math.round(usage.cpuUsageUs / 1000) } : {}),
      ...(this.monitor.lastUsedFraction !== null ? { cpuUsedPercent: Math.round(this.monitor.lastUsedFraction * 1000) / 10 } : {}),
      ...(usage?.memoryBytes != null ? { memoryBytes: usage.memoryBytes } : {}),
      ...(usage?.tasks != null ? { tasks: usage.tasks } : {}),
      oomKills: usage?.oomKills ?? 0,
      taskLimitHits: usage?.taskLimitHits ?? 0,
    };
  }

  private apply(config: ApplicationPoolConfig): void {
    const subtree = this.options.subtree;
    if (this.group && subtree) {
      const limits = poolLimits(config, subtree.onlineCpus);
      if (config.cpu.smpAffinitized && limits.cpus === '') {
        this.options.logger.error(`application pool '${this.name}': smpProcessorAffinityMask selects none of the online CPUs (${cpuList(subtree.onlineCpus)}); the pool runs on all of them`);
        limits.cpus = null;
      }
      try {
        this.group.applyLimits(limits, cpuList(subtree.onlineCpus));
      } catch (error) {
        this.options.logger.error({ err: error }, `application pool '${this.name}': a limit could not be written: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    const unenforced = this.unenforcedLimits();
    if (unenforced.length > 0) {
      this.options.logger.warn({ unenforced }, `application pool '${this.name}': these limits are not enforced here: ${unenforced.join(', ')}`);
    }
    this.taskLimitTimer?.cancel();
    this.taskLimitTimer = null;
    if (this.group && config.taskLimit > 0) this.watchTaskLimit();
    if (this.group && monitorsCpu(config.cpu)) this.monitor.start(config.cpu, this.options.cpuResetIntervalMs ?? config.cpu.resetInterval);
    else this.monitor.stop();
  }

  /** The configured limits this machine cannot hold (no cgroups, or not that controller). */
  private unenforcedLimits(): string[] {
    const config = this.config;
    if (!config) return [];
    const controllers = this.group?.controllers ?? new Set();
    const wanted: Array<[boolean, string, string]> = [
      [config.cpu.limit > 0 && (config.cpu.action === 'Throttle' || config.cpu.action === 'ThrottleUnderLoad'), 'cpu', `cpu action=${config.cpu.action}`],
      [monitorsCpu(config.cpu), 'cpuacct', `cpu action=${config.cpu.action}`],
      [config.cpu.smpAffinitized, 'cpuset', 'cpu smpAffinitized'],
      [config.memoryLimit > 0, 'memory', 'memoryLimit'],
      [config.taskLimit > 0, 'pids', 'taskLimit'],
    ];
    return wanted.filter(([asked, controller]) => asked && !controllers.has(controller as never)).map(([, , name]) => name);
  }

  private cpuLimitExceeded(used: number, action: Cpu['action']): void {
    const config = this.config;
    if (!config) return;
    const percent = Math.round(used * 1000) / 10;
    const reason = `used ${percent}% of the machine's CPU over ${(this.options.cpuResetIntervalMs ?? config.cpu.resetInterval) / 1000} s; the limit is ${config.cpu.limit / 1000}% (${action})`;
    this.options.eventLog.write(5025, [this.name], { applicationPool: this.name, reason });
    if (action === 'KillW3wp') this.options.killWorkers();
  }

  /** pids.events counts refused forks: a line when it grows, looked at every few seconds. */
  private watchTaskLimit(): void {
    this.taskLimitTimer = this.options.clock.setTimeout(() => {
      const hits = this.group?.usage().taskLimitHits ?? 0;
      if (hits > this.taskLimitHitsSeen) {
        this.options.logger.warn({ taskLimitHits: hits }, `application pool '${this.name}' reached its taskLimit of ${this.config?.taskLimit}: ${hits} process or thread creation(s) refused so far`);
        this.taskLimitHitsSeen = hits;
      }
      if (this.group) this.watchTaskLimit();
    }, taskLimitCheckMs);
  }
}
