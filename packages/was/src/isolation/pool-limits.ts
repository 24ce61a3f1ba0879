// What a pool's configuration asks of its cgroup, in kernel units: `<cpu limit action>` in IIS's
// 1/1000 % of the whole machine, the affinity mask as a CPU list, and poolhost's memoryLimit (KB)
// and taskLimit beside IIS's attributes.
import type { ApplicationPool } from '@poolhost/config';

/** The CFS period poolhost writes (cpu.max's and cpu.cfs_period_us's default). */
export const cpuPeriodUs = 100_000;

export interface PoolLimits {
  /** Throttle: a hard cap of `quotaUs` CPU time per `periodUs`, summed over the pool's processes. */
  cpuQuota: { quotaUs: number; periodUs: number } | null;
  /** ThrottleUnderLoad: a share that only bites under contention, relative to the default 100 (v2) / 1024 (v1). */
  cpuWeight: number | null;
  /** smpAffinitized: the CPUs the pool's processes may run on, as a cpuset list ("0,2-3"). */
  cpus: string | null;
  memoryBytes: number | null;
  tasks: number | null;
}

/** The machine's share that `limit` (1/1000 %) grants: 20000 -> 0.2. */
export function cpuLimitFraction(limit: number): number {
  return limit / 100_000;
}

export function poolLimits(pool: ApplicationPool, onlineCpus: readonly number[]): PoolLimits {
  const { limit, action, smpAffinitized, smpProcessorAffinityMask, smpProcessorAffinityMask2 } = pool.cpu;
  const fraction = cpuLimitFraction(limit);
  return {
    // IIS: limit L on N CPUs is L/100000 × N CPUs' worth of time (30000 on 8 CPUs -> 240000 100000).
    cpuQuota: limit > 0 && action === 'Throttle' ? { quotaUs: Math.max(1_000, Math.round(fraction * onlineCpus.length * cpuPeriodUs)), periodUs: cpuPeriodUs } : null,
    cpuWeight: limit > 0 && action === 'ThrottleUnderLoad' ? cpuWeightFor(fraction) : null,
    cpus: smpAffinitized ? cpuList(affinityCpus(smpProcessorAffinityMask, smpProcessorAffinityMask2, onlineCpus)) : null,
    memoryBytes: pool.memoryLimit > 0 ? pool.memoryLimit * 1024 : null,
    tasks: pool.taskLimit > 0 ? pool.taskLimit : null,
  };
}

/**
 * ThrottleUnderLoad as a cgroup v2 weight (1–10000, default 100): against one busy neighbour at the
 * default weight the pool gets its `limit` share of the contended CPUs; idle CPUs stay usable.
 */
export function cpuWeightFor(fraction: number): number {
  if (fraction >= 0.99) return 10_000;
  return Math.min(10_000, Math.max(1, Math.round((100 * fraction) / (1 - fraction))));
}

/** The v1 equivalent of a v2 weight: cpu.shares, default 1024, 2–262144. */
export function cpuSharesFor(weight: number): number {
  return Math.min(262_144, Math.max(2, Math.round((weight * 1024) / 100)));
}

/** IIS's 64-bit mask, split as smpProcessorAffinityMask (CPUs 0–31) and smpProcessorAffinityMask2 (32–63). */
export function affinityCpus(mask: number, mask2: number, onlineCpus: readonly number[]): number[] {
  return onlineCpus.filter((cpu) => (cpu < 32 ? (mask >>> cpu) & 1 : cpu < 64 ? (mask2 >>> (cpu - 32)) & 1 : 0) === 1);
}

/** [0, 2, 3] -> "0,2-3", the cpuset list format. */
export function cpuList(cpus: readonly number[]): string {
  const ranges: string[] = [];
  for (let index = 0; index < cpus.length; ) {
    let end = index;
    while (end + 1 < cpus.length && cpus[end + 1] === cpus[end]! + 1) end++;
    ranges.push(end === index ? String(cpus[index]) : `${cpus[index]}-${cpus[end]}`);
    index = end + 1;
  }
  return ranges.join(',');
}

/** "0-3,6" -> [0, 1, 2, 3, 6]. */
export function parseCpuList(text: string): number[] {
  const cpus: number[] = [];
  for (const part of text.trim().split(',')) {
    if (part === '') continue;
    const [from, to] = part.split('-').map(Number);
    for (let cpu = from!; cpu <= (to ?? from!); cpu++) cpus.push(cpu);
  }
  return cpus;
}
