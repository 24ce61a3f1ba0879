// `<cpu limit resetInterval action="NoAction|KillW3wp">`: the pool's CPU time, summed over its
// cgroup, is sampled once per resetInterval; usage above `limit` (1/1000 % of the whole machine)
// over that interval writes WAS event 5025 — so at most once per interval — and with KillW3wp
// the pool's workers are ended (a new one starts on the next request, as in IIS).
import type { Clock, TimerHandle } from '@poolhost/common';
import type { Cpu } from '@poolhost/config';
import { cpuLimitFraction } from './pool-limits.js';

export interface CpuMonitorOptions {
  clock: Clock;
  /** The machine's online CPUs: the limit is a share of all of them. */
  cpuCount: number;
  /** The pool's CPU time so far, µs; null when it cannot be read. */
  readUsageUs(): number | null;
  exceeded(usedFraction: number, action: Cpu['action']): void;
}

/** Actions that watch usage over resetInterval; Throttle and ThrottleUnderLoad are left to the kernel. */
export function monitorsCpu(cpu: Cpu): boolean {
  return cpu.limit > 0 && cpu.resetInterval > 0 && (cpu.action === 'NoAction' || cpu.action === 'KillW3wp');
}

export class CpuMonitor {
  private timer: TimerHandle | null = null;
  private last: { usageUs: number; atMs: number } | null = null;
  /** The share of the machine the pool used over the last interval (0.25 = 25 %). */
  lastUsedFraction: number | null = null;

  constructor(private readonly options: CpuMonitorOptions) {}

  start(cpu: Cpu, intervalMs: number): void {
    this.stop();
    if (!monitorsCpu(cpu)) return;
    this.sample();
    const tick = () => {
      this.timer = this.options.clock.setTimeout(tick, intervalMs);
      const used = this.sample();
      if (used !== null && used > cpuLimitFraction(cpu.limit)) this.options.exceeded(used, cpu.action);
    };
    this.timer = this.options.clock.setTimeout(tick, intervalMs);
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = null;
    this.last = null;
  }

  /** Usage since the previous sample, as a share of the machine. */
  private sample(): number | null {
    const usageUs = this.options.readUsageUs();
    const atMs = this.options.clock.now();
    if (usageUs === null) return null;
    const previous = this.last;
    this.last = { usageUs, atMs };
    if (!previous || atMs <= previous.atMs) return null;
    this.lastUsedFraction = (usageUs - previous.usageUs) / ((atMs - previous.atMs) * 1000 * this.options.cpuCount);
    return this.lastUsedFraction;
  }
}
