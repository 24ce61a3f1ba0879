import { test } from 'node:test';
import assert from 'node:assert/strict';
import { settle } from '@poolhost/common/testing';
import { createHarness, demand } from '../support/was-harness.js';

test('an overlapped recycle starts the new worker first and stops the old one once it is ready', async () => {
  const { spawner, call, was } = await createHarness([{ name: 'AppA' }]);
  await call(demand('AppA'));
  const old = spawner.last;
  old.ready();
  const reply = await call({ type: 'RecycleApplicationPool', name: 'AppA' });
  assert.deepEqual(reply, { type: 'Acknowledged', detail: '"AppA" successfully recycled' });
  assert.equal(spawner.workers.length, 2);
  assert.ok(!old.received.some((message) => message.type === 'StopWorker'), 'old keeps serving until the new one is ready');
  spawner.last.ready();
  await settle();
  assert.ok(old.received.some((message) => message.type === 'StopWorker'));
  assert.equal(old.hasExited, true);
  assert.deepEqual(was.eventLog.journal().events.map((event) => event.eventId), [5079]);
  assert.equal(was.eventLog.journal().workerHistory[0]!.reason, 'recycle (OnDemand)');
});

test('if the new worker never becomes ready the old one keeps serving (5093)', async () => {
  const { spawner, call, clock, was } = await createHarness([{ name: 'AppA', children: '<processModel startupTimeLimit="00:00:02" />' }]);
  await call(demand('AppA'));
  const old = spawner.last;
  old.ready();
  await call({ type: 'RecycleApplicationPool', name: 'AppA' });
  await clock.advance(2_000);
  assert.equal(old.hasExited, false);
  assert.deepEqual(was.eventLog.journal().events.map((event) => event.eventId), [5079, 5012, 5093]);
});

test('a worker-requested recycle writes its event and recycles that worker', async () => {
  const { spawner, call, was } = await createHarness([{ name: 'AppA' }]);
  await call(demand('AppA'));
  const old = spawner.last;
  old.ready();
  old.send({ type: 'WorkerRecycleRequested', reason: 'Requests' });
  spawner.last.ready();
  await settle();
  assert.equal(old.hasExited, true);
  assert.equal(
    was.eventLog.journal().events[0]!.message,
    "A worker process with process id of '1000' serving application pool 'AppA' has requested a recycle because it reached its allowed request limit.",
  );
});

test('recycling a stopped pool is an error', async () => {
  const { call } = await createHarness([{ name: 'AppA', attributes: 'autoStart="false"' }]);
  await assert.rejects(call({ type: 'RecycleApplicationPool', name: 'AppA' }), /The service has not been started/);
});
