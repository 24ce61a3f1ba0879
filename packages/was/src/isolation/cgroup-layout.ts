// Where this machine's cgroup controllers are: cgroup v2 (one unified hierarchy whose
// cgroup.controllers lists them), v1 (one mounted hierarchy per controller, as on this project's
// machines: /sys/fs/cgroup/cpu, /memory, /pids … beside an empty v2 `unified`), or none at all.
// Read from /proc/self/mounts; tests pass a mounts text that points at a fake tree.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The controllers poolhost uses for a pool's limits. */
export const cgroupControllers = ['cpu', 'cpuacct', 'cpuset', 'memory', 'pids'] as const;
export type CgroupController = (typeof cgroupControllers)[number];

export type CgroupLayout =
  | { version: 2; mount: string; controllers: ReadonlySet<CgroupController> }
  | { version: 1; mounts: ReadonlyMap<CgroupController, string> }
  | { version: 0; reason: string };

export function detectCgroupLayout(mountsText = readMounts()): CgroupLayout {
  const v1 = new Map<CgroupController, string>();
  let unified: string | undefined;
  for (const line of mountsText.split('\n')) {
    const [, mountPoint, fsType, options] = line.split(' ');
    if (!mountPoint || !options) continue;
    const path = unescapeMountPath(mountPoint);
    if (fsType === 'cgroup2') unified ??= path;
    if (fsType !== 'cgroup') continue;
    for (const option of options.split(',')) {
      if ((cgroupControllers as readonly string[]).includes(option)) v1.set(option as CgroupController, path);
    }
  }
  // v2 wins when it holds the controllers (a hybrid system's `unified` mount holds none of them).
  if (unified !== undefined) {
    const controllers = readControllers(unified);
    if (controllers.has('cpu') || controllers.has('memory') || controllers.has('pids')) {
      // cpu.stat is always there on v2: cpuacct's accounting needs no controller of its own.
      if (controllers.has('cpu')) controllers.add('cpuacct');
      return { version: 2, mount: unified, controllers };
    }
  }
  if (v1.size > 0) return { version: 1, mounts: v1 };
  return { version: 0, reason: unified === undefined ? 'no cgroup hierarchy is mounted' : `the cgroup v2 hierarchy at ${unified} has none of the cpu, memory and pids controllers` };
}

export function layoutControllers(layout: CgroupLayout): ReadonlySet<CgroupController> {
  if (layout.version === 2) return layout.controllers;
  if (layout.version === 1) return new Set(layout.mounts.keys());
  return new Set();
}

function readControllers(mount: string): Set<CgroupController> {
  try {
    const listed = readFileSync(join(mount, 'cgroup.controllers'), 'utf8').trim().split(/\s+/);
    return new Set(listed.filter((name): name is CgroupController => (cgroupControllers as readonly string[]).includes(name)));
  } catch {
    return new Set();
  }
}

function readMounts(): string {
  try {
    return readFileSync('/proc/self/mounts', 'utf8');
  } catch {
    return '';
  }
}

/** /proc/self/mounts writes a space as \040 (and tab, newline, backslash likewise). */
function unescapeMountPath(path: string): string {
  return path.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}
