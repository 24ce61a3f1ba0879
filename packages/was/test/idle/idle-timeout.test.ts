import { test } from 'node:test';
import assert from 'node:assert/strict';
import { settle } from '@poolhost/common/testing';
import { createHarness, demand, runningWorker } from '../support/was-harness.js';

const idle = (action: 'Terminate' | 'Suspend') =>
  `<processModel idleTimeout="00:01:00" idleTimeoutAction="${action}" pingInterval="00:00:30" pingResponseTime="00:00:05" />`;

test('Terminate: the worker stops about idleTimeout after its last request, not at ping granularity (5186)', async () => {
  const harness = await createHarness([{ name: 'AppA', children: idle('Terminate') }]);
  const worker = await runningWorker(harness, 'AppA');
  worker.requestsInFlight = 1;
  await harness.clock.advance(10_000);
  worker.requestsInFlight = 0;
  worker.requestsServed = 1;
  await harness.clock.advance(1_000);
  const lastRequestSeen = harness.clock.now();
  await harness.clock.advance(58_000);
  assert.equal(worker.hasExited, false);
  await harness.clock.advance(2_000);
  assert.equal(worker.hasExited, true);
  const stoppedAfter = harness.clock.now() - lastRequestSeen;
  assert.ok(stoppedAfter <= 61_000, `stopped ${stoppedAfter} ms after the last request`);
  assert.deepEqual(harness.eventIds(), [5186]);
  assert.equal(harness.was.eventLog.journal().workerHistory[0]!.reason, 'idle timeout');
  assert.deepEqual(worker.received.find((message) => message.type === 'StopWorker'), { type: 'StopWorker', reason: 'idle timeout', shutdownTimeLimit: 90_000 });
});

test('Suspend: the idle worker is frozen (SIGSTOP), not pinged, and thawed (SIGCONT) when its queue gets a request', async () => {
  const harness = await createHarness([{ name: 'AppA', children: idle('Suspend') }]);
  const worker = await runningWorker(harness, 'AppA');
  await harness.clock.advance(61_000);
  assert.deepEqual(worker.signals, ['SIGSTOP']);
  assert.equal(harness.was.applicationPool('AppA')!.workerProcesses()[0]!.state, 'Running', 'shown as Running, as IIS does');
  const pings = worker.received.length;
  worker.answersPings = false;
  await harness.clock.advance(10 * 60_000);
  assert.equal(worker.received.length, pings, 'a frozen worker is not pinged');
  assert.equal(worker.hasExited, false, 'and so never killed as hung');
  await harness.call({ type: 'RequestQueueActive', applicationPool: 'AppA' });
  assert.deepEqual(worker.signals, ['SIGSTOP', 'SIGCONT']);
  worker.answersPings = true;
  await harness.clock.advance(30_000);
  assert.ok(worker.received.length > pings, 'pings resume');
  assert.deepEqual(harness.eventIds(), [], 'suspension writes no 5186');
  assert.equal(harness.spawner.workers.length, 1);
});

test('Suspend: any demand for the pool thaws it too', async () => {
  const harness = await createHarness([{ name: 'AppA', children: idle('Suspend') }]);
  const worker = await runningWorker(harness, 'AppA');
  await harness.clock.advance(61_000);
  await harness.call(demand('AppA', 'AllWorkersBusy'));
  assert.deepEqual(worker.signals, ['SIGSTOP', 'SIGCONT']);
});

test('a suspended worker that is stopped or recycled is thawed first so it can drain', async () => {
  const harness = await createHarness([{ name: 'AppA', children: idle('Suspend') }]);
  const worker = await runningWorker(harness, 'AppA');
  await harness.clock.advance(61_000);
  await harness.call({ type: 'RecycleApplicationPool', name: 'AppA' });
  harness.spawner.last.ready();
  await settle();
  assert.deepEqual(worker.signals, ['SIGSTOP', 'SIGCONT']);
  assert.equal(worker.hasExited, true);
  assert.equal(harness.was.eventLog.journal().workerHistory[0]!.reason, 'recycle (OnDemand)');
});

test('AlwaysRunning pools and idleTimeout 0 never idle out', async () => {
  const harness = await createHarness([
    { name: 'AppA', attributes: 'startMode="AlwaysRunning"', children: idle('Terminate') },
    { name: 'AppB', children: '<processModel idleTimeout="00:00:00" />' },
  ]);
  harness.spawner.last.ready();
  await runningWorker(harness, 'AppB');
  await harness.clock.advance(60 * 60_000);
  assert.equal(harness.spawner.alive().length, 2);
});
