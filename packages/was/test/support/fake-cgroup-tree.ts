// A cgroup tree in a temporary folder: the mounts text that points at it, and the files the kernel
// would show. Directories made by the code under test are plain folders; the test writes what the
// kernel would count (cpuacct.usage, memory.oom_control …) and reads what the code wrote.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface FakeCgroupTree {
  root: string;
  mounts: string;
  write(path: string, contents: string): void;
  read(path: string): string;
  remove(): void;
}

/** v1 hybrid as on this project's machines: one hierarchy per controller, an empty unified mount. */
export function fakeV1Tree(): FakeCgroupTree {
  const root = mkdtempSync(join(tmpdir(), 'poolhost-cgroup-v1-'));
  const controllers = ['cpu', 'cpuacct', 'cpuset', 'memory', 'pids'];
  const lines = controllers.map((controller) => `cgroup ${root}/${controller} cgroup rw,nosuid,nodev,noexec,relatime,${controller} 0 0`);
  lines.push(`cgroup2 ${root}/unified cgroup2 rw,nosuid,nodev,noexec,relatime 0 0`);
  for (const controller of controllers) mkdirSync(join(root, controller));
  mkdirSync(join(root, 'unified'));
  writeFileSync(join(root, 'unified', 'cgroup.controllers'), '\n');
  writeFileSync(join(root, 'cpuset', 'cpuset.cpus'), '0-3\n');
  writeFileSync(join(root, 'cpuset', 'cpuset.mems'), '0\n');
  return tree(root, lines.join('\n') + '\nproc /proc proc rw 0 0\n');
}

/** v2: one unified hierarchy with its controllers. */
export function fakeV2Tree(controllers = 'cpuset cpu io memory pids'): FakeCgroupTree {
  const root = mkdtempSync(join(tmpdir(), 'poolhost-cgroup-v2-'));
  mkdirSync(join(root, 'unified'));
  writeFileSync(join(root, 'unified', 'cgroup.controllers'), `${controllers}\n`);
  return tree(root, `cgroup2 ${root}/unified cgroup2 rw,nosuid,nodev,noexec,relatime,nsdelegate 0 0\n`);
}

function tree(root: string, mounts: string): FakeCgroupTree {
  return {
    root,
    mounts,
    write(path, contents) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), contents);
    },
    read(path) {
      return readFileSync(join(root, path), 'utf8');
    },
    remove() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}
