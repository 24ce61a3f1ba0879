// A recycle asked for while a worker is still Starting is not lost: the worker is marked and rotated
// (overlapped or not, as the pool says) once it reports WorkerReady; one that fails to start needs none.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { settle } from '@poolhost/common/testing';
import type { ApplicationPoolCounters } from '@poolhost/protocol';
import { createHarness, demand, runningWorker, type Harness } from '../support/was-harness.js';

const history = (harness: Harness) => harness.was.eventLog.journal().workerHistory.map((entry) => `${entry.pid} ${entry.reason}`);

/** `starting` reports WorkerReady; only then does its replacement start, and once that is ready the journal has the one recycle. */
async function assertReplacedOnceReady(harness: Harness, starting: Harness['spawner']['last'], reason: string): Promise<void> {
  assert.equal(harness.spawner.workers.length, 1, 'no replacement while the worker is starting');
  starting.ready();
  await settle();
  assert.equal(harness.spawner.workers.length, 2, 'once ready, its replacement starts');
  harness.spawner.last.ready();
  await settle();
  assert.deepEqual(history(harness), [`${starting.pid} recycle (${reason})`]);
}

test('appcmd recycle apppool while the demand-started worker is starting: 5079, and the worker is replaced (overlapped) once ready', async () => {
  const harness = await createHarness([{ name: 'AppA' }]);
  await harness.call(demand('AppA'));
  const starting = harness.spawner.last;
  const reply = await harness.call({ type: 'RecycleApplicationPool', name: 'AppA' });
  assert.deepEqual(reply, { type: 'Acknowledged', detail: '"AppA" successfully recycled' });
  assert.deepEqual(harness.eventIds(), [5079]);
  assert.equal(harness.spawner.workers.length, 1, 'nothing to overlap with yet: the worker is still starting');
  starting.ready();
  await settle();
  assert.equal(harness.spawner.workers.length, 2, 'once ready, its replacement starts');
  const replacement = harness.spawner.last;
  assert.ok(!starting.received.some((message) => message.type === 'StopWorker'), 'it serves until its replacement is ready');
  replacement.ready();
  await settle();
  assert.equal(starting.hasExited, true);
  assert.equal(replacement.hasExited, false);
  assert.deepEqual(history(harness), [`${starting.pid} recycle (OnDemand)`]);
  assert.deepEqual(harness.eventIds(), [5079], 'one event, written for the request');
  const counters = (await harness.call({ type: 'GetApplicationPoolCounters' })) as ApplicationPoolCounters;
  assert.equal(counters.applicationPools[0]!.totalApplicationPoolRecycles, 1, 'counted once');
});

test('disallowOverlappingRotation: a worker recycled while starting is stopped once ready, and the demand held meanwhile starts the next', async () => {
  const harness = await createHarness([{ name: 'AppA', children: '<recycling disallowOverlappingRotation="true" />' }]);
  await harness.call(demand('AppA'));
  const starting = harness.spawner.last;
  starting.exitsOnStop = false;
  await harness.call({ type: 'RecycleApplicationPool', name: 'AppA' });
  starting.ready();
  await settle();
  assert.ok(starting.received.some((message) => message.type === 'StopWorker'), 'stopped first');
  assert.equal(harness.spawner.workers.length, 1);
  await harness.call(demand('AppA'));
  assert.equal(harness.spawner.workers.length, 1, 'no new worker while it drains');
  starting.exit(0, null);
  await settle();
  assert.equal(harness.spawner.workers.length, 2, 'the held demand starts the new worker');
  assert.deepEqual(history(harness), [`${starting.pid} recycle (OnDemand)`]);
});

test('a worker recycled while starting that fails to start needs no recycle: nothing more is started', async () => {
  const harness = await createHarness([{ name: 'AppA' }]);
  await harness.call(demand('AppA'));
  const starting = harness.spawner.last;
  await harness.call({ type: 'RecycleApplicationPool', name: 'AppA' });
  starting.send({ type: 'WorkerStartupFailed', message: 'the configuration could not be read' });
  await settle();
  assert.equal(starting.hasExited, true);
  await harness.clock.advance(2_000);
  assert.equal(harness.spawner.workers.length, 1, 'no replacement for a worker that never started');
  // The next worker is an ordinary one: ready, it is not recycled.
  await harness.call(demand('AppA'));
  const next = harness.spawner.last;
  assert.notEqual(next, starting);
  next.ready();
  await settle();
  assert.equal(harness.spawner.workers.length, 2);
  assert.equal(next.hasExited, false);
});

test('a recycle while an earlier recycle\'s replacement is starting replaces that replacement too, once it is ready', async () => {
  const harness = await createHarness([{ name: 'AppA' }]);
  const old = await runningWorker(harness, 'AppA');
  await harness.call({ type: 'RecycleApplicationPool', name: 'AppA' });
  const first = harness.spawner.last;
  await harness.call({ type: 'RecycleApplicationPool', name: 'AppA' });
  assert.equal(harness.spawner.workers.length, 2, 'the old worker is already being replaced');
  first.ready();
  await settle();
  assert.equal(old.hasExited, true, 'its replacement is ready: the old worker goes');
  assert.equal(harness.spawner.workers.length, 3, 'the replacement, started before the second recycle, is replaced in turn');
  harness.spawner.last.ready();
  await settle();
  assert.equal(first.hasExited, true);
  assert.deepEqual(harness.spawner.alive('AppA'), [harness.spawner.last]);
  assert.deepEqual(harness.eventIds(), [5079, 5079]);
});

test('RecycleWorkerProcess names a worker still starting: it is recycled once ready', async () => {
  const harness = await createHarness([{ name: 'AppA' }]);
  await harness.call(demand('AppA'));
  const starting = harness.spawner.last;
  const reply = await harness.call({ type: 'RecycleWorkerProcess', pid: starting.pid } as never);
  assert.deepEqual(reply, { type: 'Acknowledged', detail: `worker process ${starting.pid} of "AppA" is being recycled` });
  starting.ready();
  await settle();
  harness.spawner.last.ready();
  await settle();
  assert.equal(starting.hasExited, true);
  assert.deepEqual(history(harness), [`${starting.pid} recycle (OnDemand)`]);
});

test('a worker that asks for a recycle before it is ready (iisnode\'s control pipe while loading) is recycled once ready', async () => {
  const harness = await createHarness([{ name: 'AppA' }]);
  await harness.call(demand('AppA'));
  const starting = harness.spawner.last;
  starting.send({ type: 'WorkerRecycleRequested', reason: 'IsapiUnhealthy', detail: 'the application wrote "recycle" to IISNODE_CONTROL_PIPE' });
  await settle();
  assert.deepEqual(harness.eventIds(), [5078]);
  await assertReplacedOnceReady(harness, starting, 'IsapiUnhealthy');
});

test('a scheduled recycle time that passes while the worker is starting recycles it once ready (5076)', async () => {
  // The schedule is a local time of day: a whole minute after the fake clock's start (as periodic-restart.test.ts).
  const at = new Date(1_700_000_000_000);
  at.setSeconds(0, 0);
  at.setMinutes(at.getMinutes() + 3);
  const value = `${String(at.getHours()).padStart(2, '0')}:${String(at.getMinutes()).padStart(2, '0')}:00`;
  const harness = await createHarness([
    { name: 'AppA', children: `<processModel startupTimeLimit="00:10:00" pingingEnabled="false" /><recycling><periodicRestart time="00:00:00"><schedule><add value="${value}" /></schedule></periodicRestart></recycling>` },
  ]);
  await harness.call(demand('AppA'));
  const starting = harness.spawner.last;
  await harness.clock.advance(at.getTime() - harness.clock.now() + 1_000);
  assert.deepEqual(harness.eventIds(), [5076], 'the scheduled time came while the worker was starting');
  await assertReplacedOnceReady(harness, starting, 'Schedule');
});

const root = mkdtempSync(join(tmpdir(), 'was-recycle-starting-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('a web.config changed while the worker is starting (it may have read the old one) recycles it once ready (5080)', async () => {
  const harness = await createHarness([{ name: 'AppA' }], { physicalPath: root });
  await harness.call(demand('AppA'));
  const starting = harness.spawner.last;
  writeFileSync(join(root, 'web.config'), '<configuration><system.webServer><defaultDocument enabled="false" /></system.webServer></configuration>');
  await harness.was.webConfigsChanged([join(root, 'web.config')]);
  assert.deepEqual(harness.eventIds(), [5080]);
  await assertReplacedOnceReady(harness, starting, 'ConfigChange');
});
