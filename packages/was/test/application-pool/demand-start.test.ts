import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHarness, demand } from '../support/was-harness.js';

test('an OnDemand pool has no worker until a request is demanded, then exactly one', async () => {
  const { spawner, call } = await createHarness([{ name: 'AppA' }]);
  assert.equal(spawner.workers.length, 0);
  await call(demand('AppA'));
  assert.equal(spawner.workers.length, 1);
  // httpsys repeats NoWorker while the worker is still starting: no second worker.
  await call(demand('AppA'));
  assert.equal(spawner.workers.length, 1);
  spawner.last.ready();
  await call(demand('AppA'));
  assert.equal(spawner.workers.length, 1);
});

test('the worker contract: pool name and a worker id per spawn', async () => {
  const { spawner, call, was } = await createHarness([{ name: 'AppA' }]);
  await call(demand('AppA'));
  assert.equal(spawner.last.request.applicationPool.name, 'AppA');
  assert.equal(spawner.last.request.workerId, '1');
  spawner.last.ready();
  const list = await call({ type: 'ListWorkerProcesses' });
  assert.deepEqual(
    list && list.type === 'WorkerProcessList' ? list.workers.map((worker) => [worker.pid, worker.applicationPool, worker.state]) : null,
    [[1000, 'AppA', 'Running']],
  );
  assert.equal(was.applicationPool('appa')?.state, 'Started');
});

test('a web garden grows on AllWorkersBusy up to maxProcesses', async () => {
  const { spawner, call } = await createHarness([{ name: 'Garden', children: '<processModel maxProcesses="3" />' }]);
  await call(demand('Garden'));
  spawner.last.ready();
  for (let i = 0; i < 5; i++) await call(demand('Garden', 'AllWorkersBusy'));
  assert.equal(spawner.alive('Garden').length, 3);
  assert.deepEqual(new Set(spawner.workers.map((worker) => worker.pid)).size, 3);
});

test('maxProcesses 0 means one worker', async () => {
  const { spawner, call } = await createHarness([{ name: 'Numa', children: '<processModel maxProcesses="0" />' }]);
  await call(demand('Numa'));
  await call(demand('Numa', 'AllWorkersBusy'));
  assert.equal(spawner.workers.length, 1);
});

test('AlwaysRunning starts a worker with the pool and replaces it when it exits', async () => {
  const { spawner, clock } = await createHarness([{ name: 'Warm', attributes: 'startMode="AlwaysRunning"' }]);
  assert.equal(spawner.workers.length, 1);
  spawner.last.ready();
  spawner.last.exit(1, null);
  await clock.advance(1_000);
  assert.equal(spawner.alive('Warm').length, 1);
  assert.equal(spawner.workers.length, 2);
});

test('a stopped pool starts no worker and its queue is disabled with AppOffline', async () => {
  const { spawner, call, queueStates } = await createHarness([{ name: 'AppA' }]);
  await call({ type: 'StopApplicationPool', name: 'AppA' });
  await call(demand('AppA'));
  assert.equal(spawner.workers.length, 0);
  assert.deepEqual(queueStates.at(-1), { applicationPool: 'AppA', enabled: false, disabledReason: 'AppOffline' });
  await call({ type: 'StartApplicationPool', name: 'appa' });
  assert.deepEqual(queueStates.at(-1), { applicationPool: 'AppA', enabled: true });
  await call(demand('AppA'));
  assert.equal(spawner.workers.length, 1);
});

test('autoStart="false" leaves the pool stopped at service start', async () => {
  const { was, call } = await createHarness([{ name: 'Cold', attributes: 'autoStart="false"' }]);
  assert.equal(was.applicationPool('Cold')?.state, 'Stopped');
  const reply = await call({ type: 'RegisterListenerAdapter', pid: 2, protocol: 'http' });
  assert.ok(reply && reply.type === 'ApplySiteConfiguration');
  assert.deepEqual(reply.queueStates, [{ applicationPool: 'Cold', enabled: false, disabledReason: 'AppOffline' }]);
});

test('an AlwaysRunning worker that cannot be spawned (httpsys not up yet) is retried', async () => {
  const { spawner, clock, was } = await createHarness([{ name: 'Warm', attributes: 'startMode="AlwaysRunning"', children: '<processModel startupTimeLimit="00:00:05" />' }]);
  assert.equal(spawner.workers.length, 1);
  spawner.last.exit(1, null);
  spawner.failWith = new Error('connect ENOENT httpsys-data.sock');
  await clock.advance(1_000);
  assert.equal(spawner.workers.length, 1);
  spawner.failWith = null;
  await clock.advance(1_000);
  assert.equal(spawner.workers.length, 2);
  assert.equal(was.eventLog.journal().workerHistory.at(-1)!.reason, 'crash (exit code 1)');
});
