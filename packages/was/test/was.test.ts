import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHarness, demand } from './support/was-harness.js';

test('unknown pools are answered with appcmd wording', async () => {
  const { call } = await createHarness([{ name: 'AppA' }]);
  await assert.rejects(call({ type: 'StartApplicationPool', name: 'Nope' }), { message: 'Cannot find APPPOOL object with identifier "Nope".' });
  await assert.rejects(call({ type: 'StartApplicationPool', name: 'AppA' }), { message: 'An instance of the service is already running.' });
});

test('shutdown stops every worker of every pool with reason shutdown and ignores demand afterwards', async () => {
  const { spawner, call, was } = await createHarness([{ name: 'AppA' }, { name: 'AppB' }]);
  await call(demand('AppA'));
  await call(demand('AppB'));
  for (const worker of spawner.workers) worker.ready();
  await was.stop();
  assert.equal(spawner.alive().length, 0);
  assert.deepEqual(
    spawner.workers.map((worker) => worker.received.find((message) => message.type === 'StopWorker')),
    [
      { type: 'StopWorker', reason: 'service shutdown', shutdownTimeLimit: 90_000 },
      { type: 'StopWorker', reason: 'service shutdown', shutdownTimeLimit: 90_000 },
    ],
  );
  await call(demand('AppA'));
  assert.equal(spawner.workers.length, 2);
  assert.deepEqual(was.eventLog.journal().workerHistory.map((entry) => entry.reason), ['service shutdown', 'service shutdown']);
});

test('ListRequests fans out to running workers', async () => {
  const { spawner, call } = await createHarness([{ name: 'AppA' }]);
  await call(demand('AppA'));
  spawner.last.ready();
  const reply = await call({ type: 'ListRequests' });
  assert.deepEqual(reply, { type: 'RequestList', requests: [] });
  assert.ok(spawner.last.received.some((message) => message.type === 'ListWorkerRequests'));
});
