import { test } from 'node:test';
import assert from 'node:assert/strict';
import { settle } from '@poolhost/common/testing';
import { createHarness, runningWorker } from '../support/was-harness.js';

const recycled = (harness: Awaited<ReturnType<typeof createHarness>>) => harness.was.eventLog.journal().workerHistory.map((entry) => entry.reason);

test('periodicRestart time recycles a worker that long after it started (5074), overlapped', async () => {
  const harness = await createHarness([{ name: 'AppA', children: '<recycling><periodicRestart time="00:02:00" /></recycling>' }]);
  const old = await runningWorker(harness, 'AppA');
  await harness.clock.advance(119_000);
  assert.equal(harness.spawner.workers.length, 1);
  await harness.clock.advance(1_000);
  assert.equal(harness.spawner.workers.length, 2, 'the replacement starts first');
  assert.equal(old.hasExited, false, 'the old worker serves until the replacement is ready');
  harness.spawner.last.ready();
  await settle();
  assert.equal(old.hasExited, true);
  const [event] = harness.was.eventLog.journal().events;
  assert.equal(event!.eventId, 5074);
  assert.equal(
    event!.message,
    "A worker process with process id of '1000' serving application pool 'AppA' has requested a recycle because the worker process reached its allowed processing time limit.",
  );
  assert.deepEqual(recycled(harness), ['recycle (Time)']);
});

test('periodicRestart requests recycles once the worker has served that many (5075), sampled every second', async () => {
  const harness = await createHarness([{ name: 'AppA', children: '<recycling><periodicRestart requests="100" /></recycling>' }]);
  const old = await runningWorker(harness, 'AppA');
  old.requestsServed = 99;
  await harness.clock.advance(1_000);
  assert.equal(harness.spawner.workers.length, 1);
  old.requestsServed = 104;
  await harness.clock.advance(1_000);
  assert.equal(harness.spawner.workers.length, 2);
  harness.spawner.last.ready();
  await settle();
  assert.deepEqual(harness.eventIds(), [5075]);
  assert.deepEqual(recycled(harness), ['recycle (Requests)']);
});

test('periodicRestart schedule recycles at the local time of day (5076)', async () => {
  const start = new Date(1_700_000_000_000);
  const at = new Date(start);
  at.setSeconds(0, 0);
  at.setMinutes(at.getMinutes() + 3);
  const value = `${String(at.getHours()).padStart(2, '0')}:${String(at.getMinutes()).padStart(2, '0')}:00`;
  const harness = await createHarness([{ name: 'AppA', children: `<recycling><periodicRestart time="00:00:00"><schedule><add value="${value}" /></schedule></periodicRestart></recycling>` }]);
  await runningWorker(harness, 'AppA');
  const due = at.getTime() - harness.clock.now();
  await harness.clock.advance(due - 1);
  assert.equal(harness.spawner.workers.length, 1);
  await harness.clock.advance(1);
  assert.equal(harness.spawner.workers.length, 2);
  assert.deepEqual(harness.eventIds(), [5076]);
});

test('periodicRestart memory (virtual bytes, 5077) and privateMemory (private bytes, 5117) are sampled every second', async () => {
  const harness = await createHarness([
    { name: 'AppA', children: '<recycling><periodicRestart memory="2000000" /></recycling>' },
    { name: 'AppB', children: '<recycling><periodicRestart privateMemory="100000" /></recycling>' },
  ]);
  const a = await runningWorker(harness, 'AppA');
  const b = await runningWorker(harness, 'AppB');
  await harness.clock.advance(3_000);
  assert.equal(harness.spawner.workers.length, 2, 'under the limits nothing happens');
  harness.memory.set(a.pid, { virtualKb: 2_000_001, privateKb: 10 });
  harness.memory.set(b.pid, { virtualKb: 10, privateKb: 150_000 });
  await harness.clock.advance(1_000);
  assert.equal(harness.spawner.workers.length, 4);
  assert.deepEqual(harness.eventIds().sort(), [5077, 5117]);
  const privateEvent = harness.was.eventLog.journal('AppB').events[0]!;
  assert.equal(privateEvent.message, "A worker process serving application pool 'AppB' has requested a recycle because it reached its private bytes memory limit.");
});

test('a trigger whose flag is not in logEventOnRecycle recycles without an event', async () => {
  const harness = await createHarness([{ name: 'AppA', children: '<recycling logEventOnRecycle="Memory"><periodicRestart requests="1" /></recycling>' }]);
  const old = await runningWorker(harness, 'AppA');
  old.requestsServed = 1;
  await harness.clock.advance(1_000);
  harness.spawner.last.ready();
  await settle();
  assert.deepEqual(harness.eventIds(), []);
  assert.deepEqual(recycled(harness), ['recycle (Requests)']);
});

test('a worker is asked to recycle once: a second trigger while its replacement starts does nothing', async () => {
  const harness = await createHarness([{ name: 'AppA', children: '<recycling><periodicRestart requests="1" /></recycling>' }]);
  const old = await runningWorker(harness, 'AppA');
  old.requestsServed = 5;
  await harness.clock.advance(5_000);
  old.send({ type: 'WorkerRecycleRequested', reason: 'Time' });
  await settle();
  assert.equal(harness.spawner.workers.length, 2);
  assert.deepEqual(harness.eventIds(), [5075]);
});
