import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectCgroupLayout } from '../../src/isolation/cgroup-layout.js';
import { fakeV1Tree, fakeV2Tree } from '../support/fake-cgroup-tree.js';

test('a unified hierarchy with controllers is cgroup v2', (t) => {
  const tree = fakeV2Tree();
  t.after(() => tree.remove());
  const layout = detectCgroupLayout(tree.mounts);
  assert.equal(layout.version, 2);
  assert.ok(layout.version === 2 && layout.controllers.has('memory') && layout.controllers.has('pids') && layout.controllers.has('cpuacct'));
});

test('v1 hierarchies beside an empty unified mount (the hybrid layout) are cgroup v1', (t) => {
  const tree = fakeV1Tree();
  t.after(() => tree.remove());
  const layout = detectCgroupLayout(tree.mounts);
  assert.equal(layout.version, 1);
  assert.ok(layout.version === 1);
  assert.equal(layout.mounts.get('memory'), `${tree.root}/memory`);
  assert.equal(layout.mounts.get('cpuacct'), `${tree.root}/cpuacct`);
});

test('co-mounted v1 controllers (cpu,cpuacct) share one hierarchy', () => {
  const layout = detectCgroupLayout('cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,cpu,cpuacct 0 0\n');
  assert.ok(layout.version === 1);
  assert.equal(layout.mounts.get('cpu'), '/sys/fs/cgroup/cpu,cpuacct');
  assert.equal(layout.mounts.get('cpuacct'), '/sys/fs/cgroup/cpu,cpuacct');
});

test('no hierarchy, or a unified one without controllers, is no cgroups with the reason', (t) => {
  const none = detectCgroupLayout('proc /proc proc rw 0 0\n');
  assert.deepEqual(none, { version: 0, reason: 'no cgroup hierarchy is mounted' });
  const tree = fakeV2Tree('io');
  t.after(() => tree.remove());
  const empty = detectCgroupLayout(tree.mounts);
  assert.equal(empty.version, 0);
  assert.match(empty.version === 0 ? empty.reason : '', /has none of the cpu, memory and pids controllers/);
});
