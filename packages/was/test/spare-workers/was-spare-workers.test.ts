import { test } from 'node:test';
import assert from 'node:assert/strict';
import { settle } from '@poolhost/common/testing';
import { createHarness, demand } from '../support/was-harness.js';
import { configWithPools } from '../support/config-fixture.js';

test('was keeps <applicationPools spareWorkers>: a demand start of each pool takes its own spare, and each taken spare is replaced', async () => {
  const harness = await createHarness([{ name: 'PoolA' }, { name: 'PoolB' }], { spareWorkers: 2 });
  const { spareSpawner, spawner, call } = harness;
  assert.equal(spareSpawner.spares.length, 2, 'spares start with was');
  assert.deepEqual(await call({ type: 'ListWorkerProcesses' }), { type: 'WorkerProcessList', workers: [], spareWorkers: [] }, 'none booted yet');
  for (const spare of spareSpawner.spares) spare.boot();
  await settle();
  assert.deepEqual(await call({ type: 'ListWorkerProcesses' }), { type: 'WorkerProcessList', workers: [], spareWorkers: spareSpawner.spares.map((spare) => spare.pid) });
  await call(demand('PoolA'));
  const first = harness.was.applicationPool('PoolA')!.workerProcesses()[0]!;
  assert.equal(first.pid, spareSpawner.spares[0]!.pid, 'the demand-started worker is the first spare');
  assert.equal(spareSpawner.spares.length, 3, 'and it is replaced');
  assert.equal(spawner.workers.length, 0, 'no cold start');
  await call(demand('PoolB'));
  assert.equal(harness.was.applicationPool('PoolB')!.workerProcesses()[0]!.pid, spareSpawner.spares[1]!.pid);
  assert.equal(spareSpawner.spares.length, 4);
  const counters = (await call({ type: 'GetApplicationPoolCounters' })) as { spareWorkers?: unknown };
  assert.deepEqual(counters.spareWorkers, { configured: 2, waiting: 0, totalAssigned: 2 });
});

test('a configuration change resizes the spares; was stops them with its pools', async () => {
  const harness = await createHarness([{ name: 'PoolA' }], { spareWorkers: 1 });
  assert.equal(harness.spareSpawner.spares.length, 1);
  assert.equal(await harness.was.reconfigure(configWithPools([{ name: 'PoolA' }], { spareWorkers: 3 })), true);
  await settle();
  assert.equal(harness.spareSpawner.alive().length, 3);
  assert.equal(await harness.was.reconfigure(configWithPools([{ name: 'PoolA' }], { spareWorkers: 0 })), true);
  await settle();
  assert.equal(harness.spareSpawner.alive().length, 0);
  assert.equal(await harness.was.reconfigure(configWithPools([{ name: 'PoolA' }], { spareWorkers: 1 })), true);
  await settle();
  await harness.was.stop();
  assert.equal(harness.spareSpawner.alive().length, 0);
});

test('without spareWorkers no spare is started', async () => {
  const harness = await createHarness([{ name: 'PoolA' }]);
  await harness.call(demand('PoolA'));
  assert.equal(harness.spareSpawner.spares.length, 0);
  assert.equal('spareWorkers' in ((await harness.call({ type: 'ListWorkerProcesses' })) as object), false);
  assert.equal(harness.spawner.workers.length, 1);
});
