// One application pool's cgroup: every worker of the pool and every process its applications start.
// v2 has one directory; v1 has one per hierarchy (cpu, cpuacct, cpuset, memory, pids), and each file
// is read or written in the hierarchy of its controller. The pool's limits are written here; usage
// (CPU time, memory, tasks, OOM kills) is read here for the CPU monitor, appcmd and exit reasons.
import { rmdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CgroupController } from './cgroup-layout.js';
import { readCgroupFile, readCgroupKey, readCgroupNumber, writeCgroupFile } from './cgroup-files.js';
import { cpuSharesFor, type PoolLimits } from './pool-limits.js';
import { createDirectoryTree } from '@poolhost/common';

export interface CgroupUsage {
  /** CPU time of every process of the pool since the group was made, in microseconds. */
  cpuUsageUs: number | null;
  memoryBytes: number | null;
  tasks: number | null;
  /** Processes the kernel killed because the group reached its memory limit. */
  oomKills: number;
  /** Forks refused because the group reached pids.max. */
  taskLimitHits: number;
}

export class PoolCgroup {
  /**
   * @param version 1 or 2
   * @param directories the group's directory for each controller poolhost may use (v2: the same one for all)
   */
  constructor(
    readonly version: 1 | 2,
    private readonly directories: ReadonlyMap<CgroupController, string>,
  ) {}

  /** The group as a person finds it: its directory (v2), or the memory hierarchy's (v1). */
  get path(): string {
    return this.directories.get('memory') ?? this.directories.get('cpu') ?? [...this.directories.values()][0]!;
  }

  get controllers(): ReadonlySet<CgroupController> {
    return new Set(this.directories.keys());
  }

  /** Makes the group's directories; v1 cpusets start empty and take their parent's CPUs and memory nodes. */
  create(): void {
    for (const directory of this.uniqueDirectories()) createDirectoryTree(directory);
    if (this.version === 1) {
      const cpuset = this.directories.get('cpuset');
      if (cpuset) inheritCpuset(cpuset);
    }
  }

  /** Moves a process (and the threads and children it has) into the group. */
  addProcess(pid: number): void {
    for (const directory of this.uniqueDirectories()) writeCgroupFile(join(directory, 'cgroup.procs'), String(pid));
  }

  /** Every process in the group (the workers and what their applications started). */
  processes(): number[] {
    const pids = new Set<number>();
    for (const directory of this.uniqueDirectories()) {
      for (const line of (readCgroupFile(join(directory, 'cgroup.procs')) ?? '').split('\n')) if (line) pids.add(Number(line));
    }
    return [...pids];
  }

  /** Writes every limit; a limit the configuration does not set is written back to "none". */
  applyLimits(limits: PoolLimits, onlineCpus: string): void {
    const v2 = this.version === 2;
    this.write('cpu', v2 ? 'cpu.max' : 'cpu.cfs_quota_us', limits.cpuQuota ? (v2 ? `${limits.cpuQuota.quotaUs} ${limits.cpuQuota.periodUs}` : String(limits.cpuQuota.quotaUs)) : v2 ? 'max 100000' : '-1');
    if (!v2 && limits.cpuQuota) this.write('cpu', 'cpu.cfs_period_us', String(limits.cpuQuota.periodUs));
    const weight = limits.cpuWeight ?? 100;
    this.write('cpu', v2 ? 'cpu.weight' : 'cpu.shares', String(v2 ? weight : cpuSharesFor(weight)));
    if (limits.cpus !== null || this.directories.has('cpuset')) this.write('cpuset', 'cpuset.cpus', limits.cpus ?? (v2 ? '' : onlineCpus));
    const memory = limits.memoryBytes;
    // Without swap limited too, a limited group swaps instead of being stopped at its ceiling. v1 keeps
    // memsw >= the memory limit at every step: raised first when the limit goes, set after it when it comes.
    if (!v2 && memory === null) this.writeIfPresent('memory', 'memory.memsw.limit_in_bytes', '-1');
    this.write('memory', v2 ? 'memory.max' : 'memory.limit_in_bytes', memory === null ? (v2 ? 'max' : '-1') : String(memory));
    if (v2) this.writeIfPresent('memory', 'memory.swap.max', memory === null ? 'max' : '0');
    if (!v2 && memory !== null) this.writeIfPresent('memory', 'memory.memsw.limit_in_bytes', String(memory));
    this.write('pids', 'pids.max', limits.tasks === null ? 'max' : String(limits.tasks));
  }

  usage(): CgroupUsage {
    const v2 = this.version === 2;
    const cpuUsageUs = v2 ? this.key('cpu', 'cpu.stat', 'usage_usec') : nanosecondsToMicros(this.number('cpuacct', 'cpuacct.usage'));
    return {
      cpuUsageUs,
      memoryBytes: this.number('memory', v2 ? 'memory.current' : 'memory.usage_in_bytes'),
      tasks: this.number('pids', 'pids.current'),
      oomKills: this.key('memory', v2 ? 'memory.events' : 'memory.oom_control', 'oom_kill') ?? 0,
      taskLimitHits: this.key('pids', 'pids.events', 'max') ?? 0,
    };
  }

  /** SIGKILLs what is left (processes the applications started and left behind), then removes the group. */
  remove(): void {
    for (const pid of this.processes()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    for (const directory of this.uniqueDirectories()) removeWhenEmpty(directory);
  }

  private uniqueDirectories(): string[] {
    return [...new Set(this.directories.values())];
  }

  private write(controller: CgroupController, file: string, value: string): void {
    const directory = this.directories.get(controller);
    if (directory) writeCgroupFile(join(directory, file), value);
  }

  private writeIfPresent(controller: CgroupController, file: string, value: string): void {
    const directory = this.directories.get(controller);
    if (directory && readCgroupFile(join(directory, file)) !== null) writeCgroupFile(join(directory, file), value);
  }

  private number(controller: CgroupController, file: string): number | null {
    const directory = this.directories.get(controller);
    return directory ? readCgroupNumber(join(directory, file)) : null;
  }

  private key(controller: CgroupController, file: string, key: string): number | null {
    const directory = this.directories.get(controller);
    return directory ? readCgroupKey(join(directory, file), key) : null;
  }
}

function nanosecondsToMicros(value: number | null): number | null {
  return value === null ? null : Math.floor(value / 1000);
}

/** A new v1 cpuset has no CPUs and no memory nodes, and refuses processes until it has both. */
export function inheritCpuset(directory: string): void {
  const parent = join(directory, '..');
  for (const file of ['cpuset.cpus', 'cpuset.mems']) {
    const own = readCgroupFile(join(directory, file))?.trim();
    if (own) continue;
    const inherited = readCgroupFile(join(parent, file))?.trim();
    if (inherited) writeCgroupFile(join(directory, file), inherited);
  }
}

/**
 * rmdir of a cgroup fails with EBUSY while a process is still in it (a SIGKILLed one takes a moment
 * to leave); a few quick retries, then it is left for the next start's clean-up.
 */
export function removeWhenEmpty(directory: string, attempts = 50): boolean {
  for (let attempt = 0; attempt < attempts; attempt++) {
    try {
      rmdirSync(directory);
      return true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return true;
      if (code !== 'EBUSY') return false;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
  }
  return false;
}
