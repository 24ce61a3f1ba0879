import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '@poolhost/common';
import { detectCgroupLayout } from '../../src/isolation/cgroup-layout.js';
import { CgroupSubtree, cgroupName, parseOwnCgroups } from '../../src/isolation/cgroup-subtree.js';
import { poolLimits } from '../../src/isolation/pool-limits.js';
import { configWithPools } from '../support/config-fixture.js';
import { fakeV1Tree, fakeV2Tree } from '../support/fake-cgroup-tree.js';

function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger({ service: 'was', destination, level: 'debug' }), lines };
}

const deadPid = 999_999_999;
const pool = (cpu: string, attributes = '') => configWithPools([{ name: 'Default App Pool', attributes, children: `<cpu ${cpu} />` }]).applicationPools[0]!;

test('v1: the subtree is poolhost/<run hash>-<pid> under was\'s own group in every hierarchy; a pool group gets its limits', (t) => {
  const tree = fakeV1Tree();
  t.after(() => tree.remove());
  const { logger } = capturingLogger();
  const subtree = new CgroupSubtree({ runDirectory: '/run/a', logger, layout: detectCgroupLayout(tree.mounts), ownCgroups: '4:memory:/sandbox/1\n1:cpu:/\n', pid: 4242, onlineCpus: [0, 1] });
  assert.ok(subtree.available);
  assert.deepEqual(subtree.unenforceable, []);
  assert.match(subtree.path, new RegExp(`^${tree.root}/memory/sandbox/1/poolhost/[0-9a-f]{12}-4242$`));
  const instance = subtree.path.split('/').at(-1)!;
  assert.ok(existsSync(join(tree.root, 'cpu', 'poolhost', instance)));
  // A new v1 cpuset takes its parent's CPUs and memory nodes, or it refuses processes.
  assert.equal(tree.read(`cpuset/poolhost/${instance}/cpuset.cpus`), '0-3');

  const group = subtree.poolGroup('Default App Pool');
  const name = cgroupName('Default App Pool');
  assert.match(name, /^Default_App_Pool-[0-9a-f]{6}$/);
  group.applyLimits(poolLimits(pool('limit="20000" action="Throttle" smpAffinitized="true" smpProcessorAffinityMask="2"', 'memoryLimit="1024" taskLimit="32"'), [0, 1]), '0-1');
  group.addProcess(4343);
  assert.equal(tree.read(`cpu/poolhost/${instance}/${name}/cpu.cfs_quota_us`), '40000');
  assert.equal(tree.read(`cpu/poolhost/${instance}/${name}/cpu.cfs_period_us`), '100000');
  assert.equal(tree.read(`cpu/poolhost/${instance}/${name}/cpu.shares`), '1024');
  assert.equal(tree.read(`cpuset/poolhost/${instance}/${name}/cpuset.cpus`), '1');
  assert.equal(tree.read(`memory/sandbox/1/poolhost/${instance}/${name}/memory.limit_in_bytes`), '1048576');
  assert.equal(tree.read(`pids/poolhost/${instance}/${name}/pids.max`), '32');
  for (const controller of ['cpu', 'cpuacct', 'cpuset', 'pids']) assert.equal(tree.read(`${controller}/poolhost/${instance}/${name}/cgroup.procs`), '4343');

  // Limits removed from the configuration are written back to none.
  group.applyLimits(poolLimits(pool(''), [0, 1]), '0-1');
  assert.equal(tree.read(`cpu/poolhost/${instance}/${name}/cpu.cfs_quota_us`), '-1');
  assert.equal(tree.read(`cpuset/poolhost/${instance}/${name}/cpuset.cpus`), '0-1');
  assert.equal(tree.read(`memory/sandbox/1/poolhost/${instance}/${name}/memory.limit_in_bytes`), '-1');
  assert.equal(tree.read(`pids/poolhost/${instance}/${name}/pids.max`), 'max');

  tree.write(`cpuacct/poolhost/${instance}/${name}/cpuacct.usage`, '2500000000\n');
  tree.write(`memory/sandbox/1/poolhost/${instance}/${name}/memory.usage_in_bytes`, '52428800\n');
  tree.write(`memory/sandbox/1/poolhost/${instance}/${name}/memory.oom_control`, 'oom_kill_disable 0\nunder_oom 0\noom_kill 2\n');
  tree.write(`pids/poolhost/${instance}/${name}/pids.current`, '12\n');
  tree.write(`pids/poolhost/${instance}/${name}/pids.events`, 'max 3\n');
  assert.deepEqual(group.usage(), { cpuUsageUs: 2_500_000, memoryBytes: 52_428_800, tasks: 12, oomKills: 2, taskLimitHits: 3 });
});

test('v2: controllers are enabled down the subtree; cpu.max, cpu.weight, memory.max, pids.max in one group', (t) => {
  const tree = fakeV2Tree();
  t.after(() => tree.remove());
  const { logger } = capturingLogger();
  const subtree = new CgroupSubtree({ runDirectory: '/run/b', logger, layout: detectCgroupLayout(tree.mounts), ownCgroups: '0::/\n', pid: 4242, onlineCpus: [0, 1, 2, 3, 4, 5, 6, 7] });
  assert.ok(subtree.available);
  assert.deepEqual([...subtree.controllers].sort(), ['cpu', 'cpuacct', 'cpuset', 'memory', 'pids']);
  const instance = subtree.path.split('/').at(-1)!;
  assert.ok(existsSync(join(tree.root, 'unified', 'poolhost', instance, 'cgroup.subtree_control')));
  const group = subtree.poolGroup('Throttled');
  group.applyLimits(poolLimits(pool('limit="30000" action="Throttle"', 'memoryLimit="2048" taskLimit="100"'), subtree.onlineCpus), '0-7');
  group.addProcess(77);
  const dir = `unified/poolhost/${instance}/Throttled`;
  assert.equal(tree.read(`${dir}/cpu.max`), '240000 100000');
  assert.equal(tree.read(`${dir}/cpu.weight`), '100');
  assert.equal(tree.read(`${dir}/memory.max`), '2097152');
  assert.equal(tree.read(`${dir}/pids.max`), '100');
  assert.equal(tree.read(`${dir}/cgroup.procs`), '77');
  group.applyLimits(poolLimits(pool('limit="20000" action="ThrottleUnderLoad"'), subtree.onlineCpus), '0-7');
  assert.equal(tree.read(`${dir}/cpu.max`), 'max 100000');
  assert.equal(tree.read(`${dir}/cpu.weight`), '25');
  assert.equal(tree.read(`${dir}/memory.max`), 'max');
  tree.write(`${dir}/cpu.stat`, 'usage_usec 1500\nuser_usec 1000\nsystem_usec 500\n');
  tree.write(`${dir}/memory.current`, '4096\n');
  tree.write(`${dir}/memory.events`, 'low 0\nhigh 0\nmax 4\noom 1\noom_kill 1\n');
  assert.deepEqual(group.usage(), { cpuUsageUs: 1500, memoryBytes: 4096, tasks: null, oomKills: 1, taskLimitHits: 0 });
});

test('empty groups of a dead instance are removed at start; a live instance\'s are kept', (t) => {
  const tree = fakeV1Tree();
  t.after(() => tree.remove());
  mkdirSync(join(tree.root, 'pids', 'poolhost', `aaaaaaaaaaaa-${deadPid}`, 'OldPool'), { recursive: true });
  mkdirSync(join(tree.root, 'pids', 'poolhost', `bbbbbbbbbbbb-${process.pid}`, 'LivePool'), { recursive: true });
  const { logger } = capturingLogger();
  const subtree = new CgroupSubtree({ runDirectory: '/run/c', logger, layout: detectCgroupLayout(tree.mounts), ownCgroups: '', pid: 4242, onlineCpus: [0] });
  const left = readdirSync(join(tree.root, 'pids', 'poolhost')).sort();
  assert.deepEqual(left, [`bbbbbbbbbbbb-${process.pid}`, subtree.path.split('/').at(-1)!].sort());
});

test('two run directories never share a subtree', (t) => {
  const tree = fakeV1Tree();
  t.after(() => tree.remove());
  const { logger } = capturingLogger();
  const layout = detectCgroupLayout(tree.mounts);
  const first = new CgroupSubtree({ runDirectory: '/run/one', logger, layout, ownCgroups: '', onlineCpus: [0] });
  const second = new CgroupSubtree({ runDirectory: '/run/two', logger, layout, ownCgroups: '', onlineCpus: [0] });
  assert.notEqual(first.path, second.path);
});

test('without cgroups the subtree is unavailable and logs once what cannot be enforced', () => {
  const { logger, lines } = capturingLogger();
  const subtree = new CgroupSubtree({ runDirectory: '/run/d', logger, layout: { version: 0, reason: 'no cgroup hierarchy is mounted' }, ownCgroups: '', onlineCpus: [0] });
  assert.equal(subtree.available, false);
  assert.equal(subtree.unenforceable.length, 5);
  const warnings = lines.filter((line) => String(line.msg).startsWith('cgroups: these pool limits cannot be enforced'));
  assert.equal(warnings.length, 1);
  assert.match(String(warnings[0]!.msg), /memoryLimit \(no cgroup hierarchy is mounted\)/);
});

test('/proc/self/cgroup lines name each controller\'s own group', () => {
  const own = parseOwnCgroups('4:memory:/process_api/x\n2:cpu,cpuacct:/\n0::/user.slice\n');
  assert.equal(own.get('memory'), '/process_api/x');
  assert.equal(own.get('cpuacct'), '/');
  assert.equal(own.get(''), '/user.slice');
});

test('at close, groups of an instance that died after this one started are removed too', (t) => {
  const tree = fakeV1Tree();
  t.after(() => tree.remove());
  const { logger } = capturingLogger();
  const subtree = new CgroupSubtree({ runDirectory: '/run/e', logger, layout: detectCgroupLayout(tree.mounts), ownCgroups: '', pid: process.pid, onlineCpus: [0] });
  // A was killed meanwhile (its workers held its groups when this one started).
  mkdirSync(join(tree.root, 'pids', 'poolhost', `cccccccccccc-${deadPid}`, 'OldPool'), { recursive: true });
  subtree.close();
  assert.equal(existsSync(join(tree.root, 'pids', 'poolhost', `cccccccccccc-${deadPid}`)), false);
  // The shared folder went with the last instance.
  assert.equal(existsSync(join(tree.root, 'pids', 'poolhost')), false);
});
