import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { settle } from '@poolhost/common/testing';
import type { ApplicationPoolCounters } from '@poolhost/protocol';
import { configWithPools } from '../support/config-fixture.js';
import { createHarness, demand, runningWorker, type Harness } from '../support/was-harness.js';

test('standbyWorker: a standby is started once the pool has a worker, and takes over when that worker crashes', async () => {
  const { spawner, call } = await createHarness([{ name: 'Hot', attributes: 'standbyWorker="true"' }]);
  await call(demand('Hot'));
  assert.equal(spawner.workers.length, 1);
  assert.equal(spawner.last.request.standby ?? false, false);
  spawner.last.ready();
  await settle();
  assert.equal(spawner.workers.length, 2, 'the standby is started when the first worker is ready');
  const [active, standby] = spawner.workers;
  assert.equal(standby!.request.standby, true);
  standby!.ready();
  // The standby does not count as a worker that takes requests: NoWorker demand still means "none active".
  active!.exit(1, null);
  await settle();
  // Promoted (httpsys hands it the queue on its side), and the next standby is on its way.
  assert.equal(spawner.workers.length, 3);
  assert.equal(spawner.last.request.standby, true);
  await call(demand('Hot'));
  assert.equal(spawner.workers.length, 3, 'the promoted standby serves: no demand start');
});

test('without standbyWorker no extra worker is started', async () => {
  const { spawner, call } = await createHarness([{ name: 'Cold' }]);
  await call(demand('Cold'));
  spawner.last.ready();
  await settle();
  assert.equal(spawner.workers.length, 1);
});

test('standbyWorker: a worker that fails before it is ready does not promote the standby', async () => {
  const { spawner, call, clock } = await createHarness([{ name: 'Hot', attributes: 'standbyWorker="true"', children: '<processModel maxProcesses="2" />' }]);
  await call(demand('Hot'));
  spawner.last.ready();
  await settle();
  const standby = spawner.workers[1]!;
  standby.ready();
  await call(demand('Hot', 'AllWorkersBusy'));
  assert.equal(spawner.workers.length, 3, 'the web garden grows');
  spawner.last.exit(1, null); // crashed while starting: it never attached in httpsys
  await settle();
  await clock.advance(1_000); // the next start waits 1 s after a failed one
  await call(demand('Hot', 'AllWorkersBusy'));
  assert.equal(spawner.workers.length, 4, 'the standby stays a standby: another worker is started for the garden');
  assert.equal(spawner.last.request.standby ?? false, false);
});

// The standby loaded the pool's configuration and code when it started: every recycle of the pool
// replaces it too, or it would be promoted after the next crash with what the recycle replaced.

/** A started pool with its active worker and its standby, both ready. */
async function withStandby(attributes = 'standbyWorker="true"', children = '') {
  const harness = await createHarness([{ name: 'Hot', attributes, children }]);
  const active = await runningWorker(harness, 'Hot');
  const standby = harness.spawner.last;
  assert.equal(standby.request.standby, true);
  standby.ready();
  await settle();
  return { harness, active, standby };
}

const stopped = (worker: Harness['spawner']['last']) => worker.received.some((message) => message.type === 'StopWorker');
const standbys = (harness: Harness) => harness.spawner.alive('Hot').filter((worker) => worker.request.standby === true);
const history = (harness: Harness) => harness.was.eventLog.journal().workerHistory.map((entry) => `${entry.pid} ${entry.reason}`);
const recycles = async (harness: Harness) => ((await harness.call({ type: 'GetApplicationPoolCounters' })) as ApplicationPoolCounters).applicationPools[0]!.totalApplicationPoolRecycles;

test('standbyWorker: a pool setting change replaces the standby too; the next one starts with the new settings once the new worker is ready', async () => {
  const { harness, active, standby } = await withStandby();
  await harness.was.reconfigure(configWithPools([{ name: 'Hot', attributes: 'standbyWorker="true"', children: '<processModel idleTimeout="00:30:00" />' }]));
  await settle();
  assert.equal(stopped(standby), true, 'the standby takes no requests: it is stopped at once');
  assert.equal(standby.hasExited, true);
  const replacement = harness.spawner.last;
  assert.equal(replacement.request.standby ?? false, false, 'the active worker is replaced (overlapped)');
  assert.equal(harness.spawner.workers.length, 3, 'no standby while the replacement starts');
  replacement.ready();
  await settle();
  assert.equal(active.hasExited, true);
  assert.equal(harness.spawner.workers.length, 4);
  const next = harness.spawner.last;
  assert.equal(next.request.standby, true, 'the next standby starts once the replacement is ready');
  assert.equal(next.request.applicationPool.processModel.idleTimeout, 30 * 60_000, 'with the new settings');
  assert.deepEqual(standbys(harness), [next], 'one standby');
  assert.deepEqual(harness.eventIds(), [5080], 'one event for the pool');
  assert.equal(await recycles(harness), 1, 'one recycle counted');
  assert.deepEqual(history(harness).sort(), [`${active.pid} recycle (ConfigChange)`, `${standby.pid} recycle (ConfigChange)`].sort());
});

test('standbyWorker: appcmd recycle apppool replaces the standby with the active worker (one 5079, one recycle counted)', async () => {
  const { harness, active, standby } = await withStandby();
  await harness.call({ type: 'RecycleApplicationPool', name: 'Hot' });
  assert.equal(standby.hasExited, true);
  harness.spawner.last.ready();
  await settle();
  assert.equal(active.hasExited, true);
  const next = harness.spawner.last;
  assert.equal(next.request.standby, true);
  next.ready();
  await settle();
  assert.equal(harness.spawner.alive('Hot').length, 2, 'the replacement and the new standby');
  assert.deepEqual(standbys(harness), [next]);
  assert.deepEqual(harness.eventIds(), [5079]);
  assert.equal(await recycles(harness), 1);
});

test('standbyWorker: RecycleWorkerProcess naming the standby replaces it alone', async () => {
  const { harness, active, standby } = await withStandby();
  const reply = await harness.call({ type: 'RecycleWorkerProcess', pid: standby.pid } as never);
  assert.deepEqual(reply, { type: 'Acknowledged', detail: `worker process ${standby.pid} of "Hot" is being recycled` });
  assert.equal(standby.hasExited, true);
  assert.equal(stopped(active), false, 'the active worker serves on');
  assert.equal(harness.spawner.workers.length, 3);
  assert.equal(harness.spawner.last.request.standby, true, 'the next standby starts at once: no worker is being replaced');
  assert.deepEqual(history(harness), [`${standby.pid} recycle (OnDemand)`]);
  assert.equal(await recycles(harness), 1);
});

test('standbyWorker: a standby still starting when the pool recycles is stopped, not kept with the old configuration', async () => {
  const harness = await createHarness([{ name: 'Hot', attributes: 'standbyWorker="true"' }]);
  const active = await runningWorker(harness, 'Hot');
  const starting = harness.spawner.last;
  assert.equal(starting.request.standby, true);
  await harness.call({ type: 'RecycleApplicationPool', name: 'Hot' });
  assert.equal(stopped(starting), true);
  assert.equal(starting.hasExited, true);
  const replacement = harness.spawner.last;
  assert.equal(replacement.request.standby ?? false, false);
  replacement.ready();
  await settle();
  assert.equal(active.hasExited, true);
  assert.equal(harness.spawner.last.request.standby, true);
  assert.equal(harness.spawner.workers.length, 4);
  assert.deepEqual(harness.eventIds(), [5079]);
});

test('standbyWorker, disallowOverlappingRotation: the standby stops with the active worker; one new standby once the new worker is ready', async () => {
  const { harness, active, standby } = await withStandby('standbyWorker="true"', '<recycling disallowOverlappingRotation="true" />');
  active.exitsOnStop = false;
  await harness.call({ type: 'RecycleApplicationPool', name: 'Hot' });
  assert.equal(stopped(active), true, 'stopped first');
  assert.equal(standby.hasExited, true);
  assert.equal(harness.spawner.workers.length, 2, 'no standby, no new worker while the old one drains');
  await harness.call(demand('Hot'));
  active.exit(0, null);
  await settle();
  assert.equal(harness.spawner.workers.length, 3, 'the held demand starts the new worker');
  const next = harness.spawner.last;
  assert.equal(next.request.standby ?? false, false);
  next.ready();
  await settle();
  assert.equal(harness.spawner.workers.length, 4);
  assert.deepEqual(standbys(harness), [harness.spawner.last]);
});

test('standbyWorker: a standby that asks for its own recycle (its memory limit) is replaced alone, with its own event', async () => {
  const { harness, active, standby } = await withStandby();
  standby.send({ type: 'WorkerRecycleRequested', reason: 'PrivateMemory', detail: 'private bytes over the limit' });
  await settle();
  assert.equal(standby.hasExited, true);
  assert.equal(stopped(active), false);
  assert.equal(harness.spawner.last.request.standby, true);
  assert.deepEqual(harness.eventIds(), [5117]);
  assert.deepEqual(history(harness), [`${standby.pid} recycle (PrivateMemory)`]);
});

test('standbyWorker: a standby that fails to start is not restarted in a loop; the next worker that is ready brings one', async () => {
  const harness = await createHarness([{ name: 'Hot', attributes: 'standbyWorker="true"', children: '<processModel maxProcesses="2" />' }]);
  await runningWorker(harness, 'Hot');
  const standby = harness.spawner.last;
  standby.send({ type: 'WorkerStartupFailed', message: 'the configuration could not be read' });
  await settle();
  await harness.clock.advance(5_000);
  assert.equal(standby.hasExited, true);
  assert.equal(harness.spawner.workers.length, 2, 'no standby restarted on its failure');
  await harness.call(demand('Hot', 'AllWorkersBusy'));
  harness.spawner.last.ready();
  await settle();
  assert.equal(harness.spawner.workers.length, 4);
  assert.equal(harness.spawner.last.request.standby, true);
});

const root = mkdtempSync(join(tmpdir(), 'was-standby-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('standbyWorker: a changed web.config replaces the standby too (one 5080)', async () => {
  const harness = await createHarness([{ name: 'Hot', attributes: 'standbyWorker="true"' }], { physicalPath: root });
  const active = await runningWorker(harness, 'Hot');
  const standby = harness.spawner.last;
  standby.ready();
  await settle();
  writeFileSync(join(root, 'web.config'), '<configuration><system.webServer><defaultDocument enabled="false" /></system.webServer></configuration>');
  await harness.was.webConfigsChanged([join(root, 'web.config')]);
  await settle();
  assert.equal(standby.hasExited, true);
  harness.spawner.last.ready();
  await settle();
  assert.equal(active.hasExited, true);
  assert.equal(harness.spawner.last.request.standby, true);
  assert.deepEqual(standbys(harness), [harness.spawner.last]);
  assert.deepEqual(harness.eventIds(), [5080]);
  assert.equal(await recycles(harness), 1);
});

test('standbyWorker: a pool recycle when only the standby is left (its worker idled out) stops it; the next ready worker brings a new one', async () => {
  const { harness, active, standby } = await withStandby('standbyWorker="true"', '<processModel idleTimeout="00:01:00" pingingEnabled="false" />');
  await harness.clock.advance(2 * 60_000);
  assert.equal(active.hasExited, true, 'the worker idled out');
  assert.equal(standby.hasExited, false, 'the standby is exempt from idle timeout');
  await harness.call({ type: 'RecycleApplicationPool', name: 'Hot' });
  assert.equal(standby.hasExited, true);
  assert.equal(harness.spawner.workers.length, 2, 'no standby without a worker to stand by for');
  assert.equal(await recycles(harness), 1);
  await runningWorker(harness, 'Hot');
  assert.equal(harness.spawner.workers.length, 4);
  assert.equal(harness.spawner.last.request.standby, true);
});

test('standbyWorker: a replaced standby still draining when the new worker is ready holds the next one back until it has exited (never two)', async () => {
  const { harness, standby } = await withStandby();
  standby.exitsOnStop = false;
  await harness.call({ type: 'RecycleApplicationPool', name: 'Hot' });
  assert.equal(stopped(standby), true);
  harness.spawner.last.ready();
  await settle();
  assert.equal(harness.spawner.workers.length, 3, 'no second standby while the old one is still there');
  standby.exit(0, null);
  await settle();
  assert.equal(harness.spawner.workers.length, 4);
  assert.deepEqual(standbys(harness), [harness.spawner.last]);
});

test('standbyWorker: a pool setting change when only the standby is left stops it, with its 5080', async () => {
  const { harness, active, standby } = await withStandby('standbyWorker="true"', '<processModel idleTimeout="00:01:00" pingingEnabled="false" />');
  await harness.clock.advance(2 * 60_000);
  assert.equal(active.hasExited, true);
  await harness.was.reconfigure(configWithPools([{ name: 'Hot', attributes: 'standbyWorker="true"', children: '<processModel idleTimeout="00:02:00" pingingEnabled="false" />' }]));
  await settle();
  assert.equal(standby.hasExited, true);
  assert.deepEqual(harness.eventIds().filter((id) => id !== 5186), [5080]);
  assert.equal(await recycles(harness), 1);
});

/** Each listed worker's pid and role, in start order. */
async function roles(harness: Harness): Promise<Array<[number, string | undefined]>> {
  const reply = (await harness.call({ type: 'ListWorkerProcesses', applicationPool: 'Hot' })) as { workers: Array<{ pid: number; role?: string }> };
  return reply.workers.map((worker) => [worker.pid, worker.role]);
}

test('ListWorkerProcesses gives each worker its role: active, standby; after a crash the standby is active', async () => {
  const { harness, active, standby } = await withStandby();
  assert.deepEqual(await roles(harness), [[active.pid, 'active'], [standby.pid, 'standby']]);
  active.exit(1, null);
  await settle();
  const next = harness.spawner.last;
  assert.deepEqual(await roles(harness), [[standby.pid, 'active'], [next.pid, 'standby']]);
});

test('a crash while the standby is still starting promotes nothing: httpsys had no standby to hand the queue to, and a demand starts a worker', async () => {
  const harness = await createHarness([{ name: 'Hot', attributes: 'standbyWorker="true"' }]);
  const active = await runningWorker(harness, 'Hot');
  const standby = harness.spawner.last;
  assert.equal(standby.request.standby, true);
  active.exit(1, null);
  await settle();
  assert.deepEqual(await roles(harness), [[standby.pid, 'standby']], 'still the standby once it attaches');
  await harness.call(demand('Hot'));
  assert.equal(harness.spawner.last.request.standby ?? false, false, 'the demand starts a serving worker');
  assert.notEqual(harness.spawner.last, standby);
});

test('an overlapped recycle lists the old worker as retiring and the new one as replacement until it is ready', async () => {
  const harness = await createHarness([{ name: 'Hot' }]);
  const old = await runningWorker(harness, 'Hot');
  await harness.call({ type: 'RecycleApplicationPool', name: 'Hot' });
  const replacement = harness.spawner.last;
  assert.notEqual(replacement, old);
  assert.deepEqual(await roles(harness), [[old.pid, 'retiring'], [replacement.pid, 'replacement']]);
  replacement.ready();
  await settle();
  // The old worker got StopWorker (the fake exits on it at once).
  assert.deepEqual(await roles(harness), [[replacement.pid, 'active']]);
});

// StandbyPromoted: httpsys decides the promotion (it dispatches) and tells was through w3svc; was follows.
const promotedMessage = (standby: { pid: number; request: { workerId: string } }, crashed: { pid: number; request: { workerId: string } }) =>
  ({ type: 'StandbyPromoted', applicationPool: 'Hot', pid: standby.pid, workerId: standby.request.workerId, crashedPid: crashed.pid, crashedWorkerId: crashed.request.workerId }) as const;

test('StandbyPromoted before the crashed worker exit: was promotes on the event, starts the next standby, and the exit promotes nothing more', async () => {
  const { harness, active, standby } = await withStandby();
  await harness.call(promotedMessage(standby, active));
  await settle();
  const next = harness.spawner.last;
  assert.notEqual(next, standby);
  assert.equal(next.request.standby, true, 'the next standby starts on the event');
  assert.deepEqual(await roles(harness), [[active.pid, 'active'], [standby.pid, 'active'], [next.pid, 'standby']]);
  active.exit(1, null);
  await settle();
  assert.deepEqual(await roles(harness), [[standby.pid, 'active'], [next.pid, 'standby']], 'the new standby stays a standby');
  assert.equal(harness.spawner.workers.length, 3, 'no further worker');
  await harness.call(demand('Hot'));
  assert.equal(harness.spawner.workers.length, 3, 'the promoted standby serves: no demand start');
});

test('StandbyPromoted after the crashed worker exit finds the standby promoted already (the exit is the fallback)', async () => {
  const { harness, active, standby } = await withStandby();
  active.exit(1, null);
  await settle();
  const next = harness.spawner.last;
  await harness.call(promotedMessage(standby, active));
  await settle();
  assert.deepEqual(await roles(harness), [[standby.pid, 'active'], [next.pid, 'standby']]);
  assert.equal(harness.spawner.workers.length, 3);
});

test('StandbyPromoted naming a worker that is not the standby changes nothing', async () => {
  const { harness, active, standby } = await withStandby();
  await harness.call(promotedMessage(active, standby));
  await settle();
  assert.deepEqual(await roles(harness), [[active.pid, 'active'], [standby.pid, 'standby']]);
  assert.equal(harness.spawner.workers.length, 2);
});
