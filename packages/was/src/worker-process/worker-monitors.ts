// Everything that watches a worker: pings (hang detection, 5010) and samples (idle, request and memory
// limits), started when it becomes Running and paused while it is suspended; and the periodicRestart
// timers (time, schedule), armed when it is launched — a scheduled time that passes while the worker is
// still starting recycles it once it is ready. All stop when it is stopping.
import type { ApplicationPool } from '@poolhost/config';
import type { WorkerHealth } from '@poolhost/protocol';
import type { Clock } from '@poolhost/common';
import { IdleTracker, idleSamplingIntervalMs } from '../idle/idle-tracker.js';
import type { MemorySample, MemorySampler } from '../recycling/memory-sampler.js';
import { memorySamplingIntervalMs, PeriodicRestartMonitor, requestsSamplingIntervalMs, type PeriodicRestartTrigger } from '../recycling/periodic-restart-monitor.js';
import { PingMonitor } from './ping-monitor.js';
import { SamplingMonitor } from './sampling-monitor.js';

export interface WorkerMonitorsOptions {
  applicationPool: ApplicationPool;
  clock: Clock;
  memorySampler: MemorySampler;
  /** ms since the epoch the worker was started. */
  startedAt: number;
  /** Idle shutdown applies (OnDemand pools with idleTimeout > 0). */
  idleShutdown: boolean;
  pid(): number;
  probe(timeoutMs: number): Promise<WorkerHealth>;
  counters(health: WorkerHealth): void;
  unresponsive(): void;
  idle(): void;
  recycleDue(trigger: PeriodicRestartTrigger, detail: string): void;
}

/** A counter probe between pings gives up after this long (the ping monitor judges hangs). */
const probeTimeoutMs = 5_000;

export class WorkerMonitors {
  readonly idleTracker: IdleTracker;
  private readonly periodicRestart: PeriodicRestartMonitor;
  private readonly ping: PingMonitor | null;
  private readonly sampling: SamplingMonitor | null;

  constructor(private readonly options: WorkerMonitorsOptions) {
    const { processModel, recycling } = options.applicationPool;
    this.idleTracker = new IdleTracker(options.idleShutdown ? processModel.idleTimeout : 0, options.clock.now());
    this.periodicRestart = new PeriodicRestartMonitor(recycling.periodicRestart, options.startedAt, options.clock, options.recycleDue);
    this.ping = processModel.pingingEnabled
      ? new PingMonitor({
          clock: options.clock,
          intervalMs: processModel.pingInterval,
          responseTimeMs: processModel.pingResponseTime,
          ping: options.probe,
          healthy: (health) => this.observe(health),
          unresponsive: options.unresponsive,
        })
      : null;
    this.sampling = this.createSampling();
  }

  /** Launched: the periodicRestart timers (time from the worker's start, the schedule's next local time). */
  startRecycleTimers(): void {
    this.periodicRestart.start();
  }

  /** Running: pings and samples. */
  start(): void {
    this.idleTracker.touch(this.options.clock.now());
    this.ping?.start();
    this.sampling?.start();
  }

  /** Suspended: a frozen process answers nothing, so pings and samples pause; recycle timers keep running. */
  pause(): void {
    this.ping?.stop();
    this.sampling?.stop();
  }

  resume(): void {
    this.idleTracker.touch(this.options.clock.now());
    this.ping?.start();
    this.sampling?.start();
  }

  /** Stopping or exited. */
  stop(): void {
    this.pause();
    this.periodicRestart.stop();
  }

  /** Counters from any source (ping, sample, `list wp`). */
  observe(health: WorkerHealth): void {
    const now = this.options.clock.now();
    this.options.counters(health);
    this.idleTracker.observe(health, now);
    this.periodicRestart.checkRequests(health.requestsServed);
    if (this.idleTracker.isIdle(now)) this.options.idle();
  }

  private createSampling(): SamplingMonitor | null {
    const intervals: number[] = [];
    const countersNeeded = this.periodicRestart.samplesCounters || this.idleTracker.enabled;
    if (this.periodicRestart.samplesCounters) intervals.push(requestsSamplingIntervalMs);
    if (this.idleTracker.enabled) intervals.push(idleSamplingIntervalMs(this.options.applicationPool.processModel.idleTimeout));
    if (this.periodicRestart.samplesMemory) intervals.push(memorySamplingIntervalMs);
    if (intervals.length === 0) return null;
    return new SamplingMonitor({
      clock: this.options.clock,
      intervalMs: Math.min(...intervals),
      ...(countersNeeded ? { probeCounters: () => this.options.probe(probeTimeoutMs) } : {}),
      ...(this.periodicRestart.samplesMemory ? { sampleMemory: () => this.options.memorySampler.sample(this.options.pid()) } : {}),
      counters: (health) => this.observe(health),
      memory: (sample: MemorySample) => this.periodicRestart.checkMemory(sample),
    });
  }
}
