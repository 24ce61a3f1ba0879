import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from '@poolhost/common';
import { FakeClock, settle } from '@poolhost/common/testing';
import { SpareWorkers } from '../../src/spare-workers/spare-workers.js';
import { spareWorkerSpawner } from '../../src/spare-workers/spare-worker-spawner.js';
import type { WorkerSpawnRequest } from '../../src/worker-process/worker-spawner.js';
import { configWithPools } from '../support/config-fixture.js';
import { FakeSpawner } from '../support/fake-spawner.js';
import { FakeSpareSpawner } from '../support/fake-spare-spawner.js';

async function setup(count: number) {
  const clock = new FakeClock();
  const cold = new FakeSpawner(clock);
  const spareSpawner = new FakeSpareSpawner(clock);
  const lines: string[] = [];
  const logger = createLogger({ service: 'was', destination: new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) }) });
  const spares = new SpareWorkers({ spawner: spareSpawner, clock, logger });
  spares.resize(count);
  await settle();
  for (const spare of spareSpawner.spares) spare.boot();
  await settle();
  const config = configWithPools([
    { name: 'PoolA' },
    { name: 'PoolB' },
    { name: 'Tuned', children: '<environmentVariables><add name="NODE_OPTIONS" value="--max-old-space-size=64" /><add name="NODE_ENV" value="production" /></environmentVariables>' },
  ]);
  const request = (pool: string, workerId: string, placed: number[] = []): WorkerSpawnRequest => ({
    applicationPool: config.applicationPools.find((candidate) => candidate.name === pool)!,
    workerId,
    handlers: {},
    placeProcess: (pid) => void placed.push(pid),
  });
  return { cold, spareSpawner, spares, lines, request, spawner: spareWorkerSpawner(cold, spares, logger) };
}

test('a worker start takes a booted spare: the pool\'s worker has the spare\'s pid, placed in the pool\'s cgroup, and no process is spawned', async () => {
  const { cold, spareSpawner, spawner, request } = await setup(2);
  const placed: number[] = [];
  const worker = await spawner.spawn(request('PoolA', '7', placed));
  const spare = spareSpawner.spares[0]!;
  assert.equal(worker.pid, spare.pid);
  assert.deepEqual(placed, [spare.pid]);
  assert.equal(spare.assignments[0]!.applicationPool.name, 'PoolA');
  assert.equal(cold.workers.length, 0);
});

test('two pools take two different spares, and a spare once taken never serves another pool', async () => {
  const { cold, spareSpawner, spawner, request } = await setup(2);
  const a = await spawner.spawn(request('PoolA', '1'));
  const b = await spawner.spawn(request('PoolB', '2'));
  assert.notEqual(a.pid, b.pid);
  assert.deepEqual(spareSpawner.spares.slice(0, 2).map((spare) => spare.assignments.map((assignment) => assignment.applicationPool.name)), [['PoolA'], ['PoolB']]);
  // Both replacements are still booting: the next start is cold, not a second use of a taken spare.
  const c = await spawner.spawn(request('PoolA', '3'));
  assert.equal(c.pid, cold.workers[0]!.pid);
  assert.equal(spareSpawner.spares.every((spare) => spare.assignments.length <= 1), true);
});

test('a pool whose environmentVariables set what Node reads at start (NODE_OPTIONS) starts cold, saying why once', async () => {
  const { cold, spareSpawner, spawner, request, lines } = await setup(1);
  await spawner.spawn(request('Tuned', '1'));
  await spawner.spawn(request('Tuned', '2'));
  assert.equal(cold.workers.length, 2);
  assert.equal(spareSpawner.spares[0]!.assignments.length, 0);
  assert.equal(lines.filter((line) => line.includes("application pool 'Tuned' takes no spare worker: its environmentVariables set NODE_OPTIONS")).length, 1);
});

test('a spare that cannot be assigned is killed and the worker starts cold', async () => {
  const { cold, spareSpawner, spawner, request, lines } = await setup(1);
  spareSpawner.spares[0]!.failAssignment = new Error('thread 12 did not take the pool\'s identity');
  const worker = await spawner.spawn(request('PoolA', '1'));
  assert.equal(worker.pid, cold.workers[0]!.pid);
  assert.deepEqual(spareSpawner.spares[0]!.signals, ['SIGKILL']);
  assert.match(lines.join(''), /could not be assigned to application pool 'PoolA' \(thread 12 did not take/);
});

test('with spareWorkers 0 every start is cold', async () => {
  const { cold, spawner, request } = await setup(0);
  await spawner.spawn(request('PoolA', '1'));
  assert.equal(cold.workers.length, 1);
});
