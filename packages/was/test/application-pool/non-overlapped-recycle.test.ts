import { test } from 'node:test';
import assert from 'node:assert/strict';
import { settle } from '@poolhost/common/testing';
import { createHarness, demand, runningWorker } from '../support/was-harness.js';

const noOverlap = '<recycling disallowOverlappingRotation="true" />';

test('disallowOverlappingRotation: the old worker stops first; demand waits until it has exited', async () => {
  const harness = await createHarness([{ name: 'AppA', children: noOverlap }]);
  const old = await runningWorker(harness, 'AppA');
  old.exitsOnStop = false;
  await harness.call({ type: 'RecycleApplicationPool', name: 'AppA' });
  assert.ok(old.received.some((message) => message.type === 'StopWorker'), 'the old worker is stopped first');
  assert.equal(harness.spawner.workers.length, 1);
  // httpsys queues requests and asks for a worker while the old one drains: it must wait.
  await harness.call(demand('AppA'));
  assert.equal(harness.spawner.workers.length, 1, 'no new worker while the old one drains');
  old.exit(0, null);
  await settle();
  assert.equal(harness.spawner.workers.length, 2, 'the held demand starts the new worker');
  assert.deepEqual(harness.was.eventLog.journal().workerHistory.map((entry) => entry.reason), ['recycle (OnDemand)']);
});

test('disallowOverlappingRotation without demand: OnDemand pools start nothing until a request comes', async () => {
  const harness = await createHarness([{ name: 'AppA', children: noOverlap }]);
  await runningWorker(harness, 'AppA');
  await harness.call({ type: 'RecycleApplicationPool', name: 'AppA' });
  assert.equal(harness.spawner.alive('AppA').length, 0);
  await harness.call(demand('AppA'));
  assert.equal(harness.spawner.alive('AppA').length, 1);
});

test('disallowOverlappingRotation on an AlwaysRunning pool starts the new worker when the old one has exited', async () => {
  const harness = await createHarness([{ name: 'AppA', attributes: 'startMode="AlwaysRunning"', children: noOverlap }]);
  const old = harness.spawner.last;
  old.ready();
  old.exitsOnStop = false;
  await harness.call({ type: 'RecycleApplicationPool', name: 'AppA' });
  assert.equal(harness.spawner.workers.length, 1);
  old.exit(0, null);
  await settle();
  assert.equal(harness.spawner.workers.length, 2);
});

test('a draining worker still alive at shutdownTimeLimit (a long-lived connection) is killed: 5013, not a failure', async () => {
  const harness = await createHarness([{ name: 'AppA', children: '<processModel shutdownTimeLimit="00:00:05" /><failure rapidFailProtectionMaxCrashes="1" />' }]);
  const old = await runningWorker(harness, 'AppA');
  old.exitsOnStop = false;
  await harness.call({ type: 'RecycleApplicationPool', name: 'AppA' });
  harness.spawner.last.ready();
  await settle();
  assert.deepEqual(old.received.find((message) => message.type === 'StopWorker'), { type: 'StopWorker', reason: 'recycle (OnDemand)', shutdownTimeLimit: 5_000 });
  await harness.clock.advance(4_999);
  assert.deepEqual(old.signals, []);
  await harness.clock.advance(1);
  assert.deepEqual(old.signals, ['SIGKILL']);
  await settle();
  assert.deepEqual(harness.eventIds(), [5079, 5013]);
  assert.equal(harness.was.applicationPool('AppA')!.state, 'Started', 'a 5013 kill is not a rapid-fail failure');
  assert.equal(harness.was.eventLog.journal().workerHistory[0]!.reason, 'recycle (OnDemand)');
});

test('overlapped recycle of a web garden replaces every worker, each stopping when its own replacement is ready', async () => {
  const harness = await createHarness([{ name: 'AppA', children: '<processModel maxProcesses="2" />' }]);
  const first = await runningWorker(harness, 'AppA');
  await harness.call(demand('AppA', 'AllWorkersBusy'));
  const second = harness.spawner.last;
  second.ready();
  await harness.call({ type: 'RecycleApplicationPool', name: 'AppA' });
  assert.equal(harness.spawner.workers.length, 4);
  harness.spawner.workers[2]!.ready();
  await settle();
  assert.deepEqual([first.hasExited, second.hasExited], [true, false]);
  harness.spawner.workers[3]!.ready();
  await settle();
  assert.equal(second.hasExited, true);
});
