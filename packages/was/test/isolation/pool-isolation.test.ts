import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '@poolhost/common';
import { settle } from '@poolhost/common/testing';
import type { ApplicationPoolList } from '@poolhost/protocol';
import { detectCgroupLayout } from '../../src/isolation/cgroup-layout.js';
import { CgroupSubtree } from '../../src/isolation/cgroup-subtree.js';
import { createHarness, demand, runningWorker } from '../support/was-harness.js';
import { fakeV1Tree, type FakeCgroupTree } from '../support/fake-cgroup-tree.js';

const intervalMs = 1_000;

async function isolatedHarness(t: { after(fn: () => void): void }, attributes: string, cpu: string) {
  const tree = fakeV1Tree();
  t.after(() => tree.remove());
  const logger = createLogger({ service: 'was', destination: new Writable({ write: (_chunk, _encoding, done) => done() }) });
  const cgroups = new CgroupSubtree({ runDirectory: '/tmp/poolhost-test', logger, layout: detectCgroupLayout(tree.mounts), ownCgroups: '', pid: 4242, onlineCpus: [0, 1] });
  const harness = await createHarness([{ name: 'Limited', attributes, children: `<cpu ${cpu} />` }], {}, { cgroups, cpuResetIntervalMs: intervalMs });
  const instance = cgroups.path.split('/').at(-1)!;
  const file = (controller: string, name: string) => join(controller, 'poolhost', instance, 'Limited', name);
  return { harness, tree, file };
}

/** The pool used `fraction` of the 2-CPU machine over one interval. */
async function burn(harness: Awaited<ReturnType<typeof createHarness>>, tree: FakeCgroupTree, file: string, fraction: number, state: { usageNs: number }) {
  state.usageNs += Math.round(fraction * intervalMs * 1e6 * 2);
  tree.write(file, `${state.usageNs}\n`);
  await harness.clock.advance(intervalMs);
}

test('a pool\'s workers are placed in its cgroup, which holds its Throttle quota, memoryLimit and taskLimit', async (t) => {
  const { harness, tree, file } = await isolatedHarness(t, 'memoryLimit="131072" taskLimit="64"', 'limit="20000" action="Throttle"');
  assert.equal(tree.read(file('cpu', 'cpu.cfs_quota_us')), '40000');
  assert.equal(tree.read(file('memory', 'memory.limit_in_bytes')), String(128 * 1024 * 1024));
  assert.equal(tree.read(file('pids', 'pids.max')), '64');
  const worker = await runningWorker(harness, 'Limited');
  for (const controller of ['cpu', 'cpuacct', 'cpuset', 'memory', 'pids']) assert.equal(tree.read(file(controller, 'cgroup.procs')), String(worker.pid));
  const list = (await harness.call({ type: 'ListApplicationPools' })) as ApplicationPoolList;
  assert.equal(list.applicationPools[0]!.isolation?.cgroup, join(tree.root, file('memory', '')).replace(/\/$/, ''));
  // A live change rewrites the limit in place; the worker keeps running.
  await harness.was.applicationHostChanged(`<?xml version="1.0"?><configuration><system.applicationHost><applicationPools><add name="Limited"><cpu limit="50000" action="Throttle" /></add></applicationPools><sites><site name="S" id="1"><application path="/" applicationPool="Limited"><virtualDirectory path="/" physicalPath="/tmp" /></application><bindings><binding protocol="http" bindingInformation="*:8080:" /></bindings></site></sites></system.applicationHost></configuration>`);
  await settle();
  assert.equal(tree.read(file('cpu', 'cpu.cfs_quota_us')), '100000');
  assert.equal(tree.read(file('memory', 'memory.limit_in_bytes')), '-1');
  assert.equal(worker.hasExited, false);
  await harness.was.stop();
});

test('NoAction: usage over the limit during resetInterval writes 5025 once per interval and nothing else', async (t) => {
  const { harness, tree, file } = await isolatedHarness(t, '', 'limit="20000" action="NoAction"');
  const worker = await runningWorker(harness, 'Limited');
  const usage = { usageNs: 0 };
  await burn(harness, tree, file('cpuacct', 'cpuacct.usage'), 0, usage);
  await burn(harness, tree, file('cpuacct', 'cpuacct.usage'), 0.1, usage);
  assert.deepEqual(harness.eventIds().filter((id) => id === 5025), []);
  await burn(harness, tree, file('cpuacct', 'cpuacct.usage'), 0.5, usage);
  await burn(harness, tree, file('cpuacct', 'cpuacct.usage'), 0.5, usage);
  const events = harness.was.eventLog.journal().events.filter((event) => event.eventId === 5025);
  assert.equal(events.length, 2);
  assert.equal(events[0]!.message, "Application pool 'Limited' exceeded its job limit settings.");
  assert.match(events[0]!.reason ?? '', /used 50% of the machine's CPU over 1 s; the limit is 20% \(NoAction\)/);
  assert.equal(worker.hasExited, false);
  await harness.was.stop();
});

test('KillW3wp: the pool\'s workers are killed, the pool stays started, and the next request starts a worker', async (t) => {
  const { harness, tree, file } = await isolatedHarness(t, '', 'limit="20000" action="KillW3wp"');
  const worker = await runningWorker(harness, 'Limited');
  const usage = { usageNs: 0 };
  await burn(harness, tree, file('cpuacct', 'cpuacct.usage'), 0, usage);
  await burn(harness, tree, file('cpuacct', 'cpuacct.usage'), 0.9, usage);
  assert.equal(worker.hasExited, true);
  assert.deepEqual(harness.eventIds().filter((id) => id === 5025 || id === 5009), [5025]);
  assert.equal(harness.was.applicationPool('Limited')!.state, 'Started');
  const history = harness.was.eventLog.journal().workerHistory;
  assert.equal(history.at(-1)!.reason, 'the application pool exceeded its CPU limit (KillW3wp)');
  await harness.call(demand('Limited'));
  assert.equal(harness.spawner.alive('Limited').length, 1);
  await harness.was.stop();
});

test('a worker the cgroup\'s OOM killer ended exits with its own reason and event, and counts for rapid-fail', async (t) => {
  const { harness, tree, file } = await isolatedHarness(t, 'memoryLimit="65536"', '');
  tree.write(file('memory', 'memory.oom_control'), 'oom_kill_disable 0\nunder_oom 0\noom_kill 0\n');
  const worker = await runningWorker(harness, 'Limited');
  tree.write(file('memory', 'memory.oom_control'), 'oom_kill_disable 0\nunder_oom 0\noom_kill 1\n');
  worker.exit(null, 'SIGKILL');
  await settle();
  const event = harness.was.eventLog.journal().events.find((entry) => entry.eventId === 5301);
  assert.equal(event?.message, `A process serving application pool 'Limited' was killed because the application pool reached its memory limit of 65536 KB. The process id was '${worker.pid}'.`);
  assert.deepEqual(harness.eventIds().filter((id) => id === 5009), []);
  assert.equal(harness.was.eventLog.journal().workerHistory.at(-1)!.reason, "killed at the application pool's memory limit (65536 KB)");
  const counters = harness.was.applicationPool('Limited')!.counterSet();
  assert.equal(counters.totalWorkerProcessFailures, 1);
  assert.equal(counters.recentWorkerProcessFailures, 1);
  assert.equal(counters.workerExitsByReason.memoryLimit, 1);
  // A SIGKILL that the OOM counter does not explain stays a crash.
  const second = await runningWorker(harness, 'Limited');
  await harness.clock.advance(1_000);
  second.exit(null, 'SIGKILL');
  await settle();
  assert.deepEqual(harness.eventIds().filter((id) => id === 5009 || id === 5301), [5301, 5009]);
  await harness.was.stop();
});
