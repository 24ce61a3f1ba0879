// recycling/periodicRestart for one worker (reference §3.3, §8.4): time since the worker started
// (5074), requests served (5075), scheduled local times of day (5076), virtual memory (5077) and
// private bytes (5117). was detects them all itself; the worker's own WorkerRecycleRequested is
// honoured too. A worker is asked to recycle once: after that the pool replaces it.
import type { PeriodicRestart, RecycleReason } from '@poolhost/config';
import type { Clock, TimerHandle } from '@poolhost/common';
import type { MemorySample } from './memory-sampler.js';
import { msUntilNextScheduledTime } from './schedule.js';

/** Counters are sampled this often when periodicRestart@requests is set. */
export const requestsSamplingIntervalMs = 1_000;
/** Memory is sampled this often when periodicRestart@memory or @privateMemory is set. */
export const memorySamplingIntervalMs = 1_000;
/** Timers are armed at most this far ahead (Node's limit is about 24.8 days); a later deadline is re-armed. */
const maxTimerMs = 2_147_000_000;

export type PeriodicRestartTrigger = Extract<RecycleReason, 'Time' | 'Requests' | 'Schedule' | 'Memory' | 'PrivateMemory'>;

export class PeriodicRestartMonitor {
  private timeTimer: TimerHandle | null = null;
  private scheduleTimer: TimerHandle | null = null;
  private fired = false;

  constructor(
    private readonly settings: PeriodicRestart,
    /** ms since the epoch the worker was started at; periodicRestart@time counts from here. */
    private readonly startedAt: number,
    private readonly clock: Clock,
    private readonly due: (trigger: PeriodicRestartTrigger, detail: string) => void,
  ) {}

  get samplesCounters(): boolean {
    return this.settings.requests > 0;
  }

  get samplesMemory(): boolean {
    return this.settings.memory > 0 || this.settings.privateMemory > 0;
  }

  start(): void {
    if (this.fired) return;
    if (this.settings.time > 0) this.armTime();
    this.armSchedule();
  }

  stop(): void {
    this.timeTimer?.cancel();
    this.scheduleTimer?.cancel();
    this.timeTimer = null;
    this.scheduleTimer = null;
  }

  checkRequests(requestsServed: number): void {
    const limit = this.settings.requests;
    if (limit > 0 && requestsServed >= limit) this.fire('Requests', `${requestsServed} requests served, limit ${limit}`);
  }

  checkMemory(sample: MemorySample): void {
    const { memory, privateMemory } = this.settings;
    if (memory > 0 && sample.virtualKb !== undefined && sample.virtualKb >= memory) {
      this.fire('Memory', `virtual memory ${sample.virtualKb} KB, limit ${memory} KB`);
    } else if (privateMemory > 0 && sample.privateKb >= privateMemory) {
      this.fire('PrivateMemory', `private bytes ${sample.privateKb} KB, limit ${privateMemory} KB`);
    }
  }

  private armTime(): void {
    const remaining = this.startedAt + this.settings.time - this.clock.now();
    this.timeTimer = this.clock.setTimeout(() => {
      this.timeTimer = null;
      if (this.clock.now() < this.startedAt + this.settings.time) return this.armTime();
      this.fire('Time', `running for ${Math.round(this.settings.time / 60_000)} minutes`);
    }, Math.min(Math.max(0, remaining), maxTimerMs));
  }

  private armSchedule(): void {
    const delay = msUntilNextScheduledTime(this.clock.now(), this.settings.schedule);
    if (delay === null) return;
    const at = this.clock.now() + delay;
    this.scheduleTimer = this.clock.setTimeout(() => {
      this.scheduleTimer = null;
      // A timer that fired early (clock adjustments) is simply re-armed for the same time.
      if (this.clock.now() < at - 1_000) return this.armSchedule();
      this.fire('Schedule', `scheduled time ${new Date(at).toTimeString().slice(0, 5)}`);
    }, delay);
  }

  private fire(trigger: PeriodicRestartTrigger, detail: string): void {
    if (this.fired) return;
    this.fired = true;
    this.stop();
    this.due(trigger, detail);
  }
}
