// The cgroup subtree one poolhost instance owns: `poolhost/<run-directory hash>-<was pid>` in each
// hierarchy, so instances on separate run directories (parallel tests) never share a group, and a
// dead instance's leftover empty groups are recognised by its pid and removed at the next start.
// Pools get `<subtree>/<pool>`. Without cgroups (no hierarchy, no permission) there is no subtree;
// `unenforceable` names what cannot be enforced, logged once and shown by appcmd.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, join } from 'node:path';
import { createDirectoryTree, isProcessAlive, type Logger } from '@poolhost/common';
import { cgroupControllers, detectCgroupLayout, type CgroupController, type CgroupLayout } from './cgroup-layout.js';
import { readCgroupFile, writeCgroupFile } from './cgroup-files.js';
import { PoolCgroup, inheritCpuset, removeWhenEmpty } from './pool-cgroup.js';
import { parseCpuList } from './pool-limits.js';

const subtreeRoot = 'poolhost';
const instancePattern = /^[0-9a-f]{12}-(\d+)$/;

/** What each missing controller takes away. */
const controllerFeatures: Record<CgroupController, string> = {
  cpu: 'cpu action="Throttle"/"ThrottleUnderLoad"',
  cpuacct: 'cpu limit monitoring (NoAction, KillW3wp)',
  cpuset: 'cpu smpAffinitized',
  memory: 'memoryLimit',
  pids: 'taskLimit',
};

export interface CgroupSubtreeOptions {
  runDirectory: string;
  logger: Logger;
  /** Tests: a layout over a fake tree. */
  layout?: CgroupLayout;
  /** Tests: the text of /proc/self/cgroup. */
  ownCgroups?: string;
  /** Tests: the instance's pid (default: was's own). */
  pid?: number;
  /** Tests: the machine's online CPUs (default: /sys/devices/system/cpu/online). */
  onlineCpus?: number[];
}

export class CgroupSubtree {
  readonly layout: CgroupLayout;
  /** Features that cannot be enforced here, with the reason. */
  readonly unenforceable: string[] = [];
  /** The instance directory of each usable controller. */
  private readonly directories = new Map<CgroupController, string>();
  private readonly pools = new Map<string, PoolCgroup>();
  readonly onlineCpus: number[];

  constructor(private readonly options: CgroupSubtreeOptions) {
    this.layout = options.layout ?? detectCgroupLayout();
    this.onlineCpus = options.onlineCpus ?? onlineCpus();
    const instance = `${createHash('sha1').update(options.runDirectory).digest('hex').slice(0, 12)}-${options.pid ?? process.pid}`;
    const own = parseOwnCgroups(options.ownCgroups ?? readCgroupFile('/proc/self/cgroup') ?? '');
    let failure = this.layout.version === 0 ? this.layout.reason : '';
    try {
      if (this.layout.version === 2) this.openV2(join(this.layout.mount, subtreeRoot), instance);
      if (this.layout.version === 1) this.openV1(this.layout.mounts, own, instance);
    } catch (error) {
      failure = error instanceof Error ? error.message : String(error);
      this.directories.clear();
    }
    const missing = cgroupControllers.filter((controller) => !this.directories.has(controller));
    if (missing.length > 0) {
      const reason = failure || `the ${missing.join(', ')} controller${missing.length > 1 ? 's are' : ' is'} not available`;
      for (const controller of missing) this.unenforceable.push(`${controllerFeatures[controller]} (${reason})`);
      options.logger.warn({ unenforceable: this.unenforceable }, `cgroups: these pool limits cannot be enforced and are ignored: ${this.unenforceable.join('; ')}`);
    }
    if (this.directories.size > 0) options.logger.info({ cgroupVersion: this.layout.version, cgroup: this.path, controllers: [...this.directories.keys()] }, `cgroups v${this.layout.version}: application pools run in ${this.path}`);
  }

  get available(): boolean {
    return this.directories.size > 0;
  }

  get controllers(): ReadonlySet<CgroupController> {
    return new Set(this.directories.keys());
  }

  /** The subtree as a person finds it (the memory hierarchy's, on v1). */
  get path(): string {
    return this.directories.get('memory') ?? [...this.directories.values()][0] ?? '';
  }

  /** The pool's group, made on first use (only while `available`). */
  poolGroup(poolName: string): PoolCgroup {
    const key = poolName.toLowerCase();
    let group = this.pools.get(key);
    if (!group) {
      const name = cgroupName(poolName);
      group = new PoolCgroup(this.layout.version === 2 ? 2 : 1, new Map([...this.directories].map(([controller, directory]) => [controller, join(directory, name)])));
      group.create();
      this.pools.set(key, group);
    }
    return group;
  }

  /** The pool stopped: what is left in its group is ended and the group removed. */
  removePoolGroup(poolName: string): void {
    const key = poolName.toLowerCase();
    this.pools.get(key)?.remove();
    this.pools.delete(key);
  }

  /** was stops: every pool group, then the instance's own directories. */
  close(): void {
    for (const name of [...this.pools.keys()]) this.removePoolGroup(name);
    for (const directory of new Set(this.directories.values())) {
      // A was killed before this one started left groups its workers still held then; they are empty now.
      removeDeadInstances(join(directory, '..'), basename(directory));
      // The shared `poolhost` folder goes with the last instance (another instance's folder keeps it: ENOTEMPTY).
      if (removeWhenEmpty(directory)) removeWhenEmpty(join(directory, '..'), 1);
    }
    this.directories.clear();
  }

  private openV2(base: string, instance: string): void {
    if (this.layout.version !== 2) return;
    const wanted = [...this.layout.controllers].filter((controller) => controller !== 'cpuacct');
    createDirectoryTree(join(base, instance));
    removeDeadInstances(base, instance);
    // Controllers reach a group only through every ancestor's cgroup.subtree_control.
    let enabled = wanted;
    for (const directory of [this.layout.mount, base, join(base, instance)]) {
      enabled = enabled.filter((controller) => {
        try {
          writeCgroupFile(join(directory, 'cgroup.subtree_control'), `+${controller}`);
          return true;
        } catch {
          return false;
        }
      });
    }
    const directory = join(base, instance);
    for (const controller of enabled) this.directories.set(controller, directory);
    if (enabled.includes('cpu')) this.directories.set('cpuacct', directory);
  }

  private openV1(mounts: ReadonlyMap<CgroupController, string>, own: Map<string, string>, instance: string): void {
    for (const [controller, mount] of mounts) {
      // Nested under was's own group in that hierarchy, so a container's or a service's own limits still hold.
      const base = join(mount, own.get(controller) ?? '/', subtreeRoot);
      const directory = join(base, instance);
      createDirectoryTree(directory);
      if (controller === 'cpuset') {
        inheritCpuset(base);
        inheritCpuset(directory);
      }
      removeDeadInstances(base, instance);
      this.directories.set(controller, directory);
    }
  }
}

/** A pool name as a directory name: IIS pool names may hold spaces and dots, never '/'. */
export function cgroupName(poolName: string): string {
  const safe = poolName.replace(/[^A-Za-z0-9._-]/g, '_');
  const unchanged = safe === poolName && !safe.startsWith('.') && !safe.startsWith('cgroup.');
  return unchanged ? safe : `${safe.replace(/^[.]+/, '_')}-${createHash('sha1').update(poolName).digest('hex').slice(0, 6)}`;
}

/** /proc/self/cgroup: `4:memory:/path` (v1, several controllers may share a line) or `0::/path` (v2). */
export function parseOwnCgroups(text: string): Map<string, string> {
  const own = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^\d+:([^:]*):(.*)$/.exec(line);
    if (!match) continue;
    for (const controller of match[1]!.split(',')) own.set(controller, match[2]!);
  }
  return own;
}

/** Empty groups left by an instance whose was is gone (killed before it could remove them). */
function removeDeadInstances(base: string, own: string): void {
  let entries: string[];
  try {
    entries = readdirSync(base);
  } catch {
    return;
  }
  for (const entry of entries) {
    const match = instancePattern.exec(entry);
    if (!match || entry === own || isProcessAlive(Number(match[1]))) continue;
    const directory = join(base, entry);
    let pools: string[] = [];
    try {
      pools = readdirSync(directory, { withFileTypes: true }).filter((child) => child.isDirectory()).map((child) => child.name);
    } catch {
      continue;
    }
    for (const pool of pools) removeWhenEmpty(join(directory, pool));
    removeWhenEmpty(directory);
  }
}

function onlineCpus(): number[] {
  try {
    const cpus = parseCpuList(readFileSync('/sys/devices/system/cpu/online', 'utf8'));
    if (cpus.length > 0) return cpus;
  } catch {
    // Not Linux, or no sysfs: count them instead.
  }
  return Array.from({ length: availableParallelism() }, (_, cpu) => cpu);
}
