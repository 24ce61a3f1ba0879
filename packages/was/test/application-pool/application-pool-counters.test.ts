import { test } from 'node:test';
import assert from 'node:assert/strict';
import { settle } from '@poolhost/common/testing';
import type { ApplicationPoolCounters } from '@poolhost/protocol';
import { createHarness, demand } from '../support/was-harness.js';

const failure = '<failure rapidFailProtectionMaxCrashes="2" rapidFailProtectionInterval="00:01:00" />';

async function counters(call: (message: never) => Promise<unknown>): Promise<ApplicationPoolCounters> {
  const reply = (await call({ type: 'GetApplicationPoolCounters' } as never)) as ApplicationPoolCounters;
  assert.equal(reply.type, 'ApplicationPoolCounters');
  return reply;
}

test('APP_POOL_WAS counts workers created, crashes, recycles by trigger and exits by reason; W3SVC_W3WP comes from the ping', async () => {
  const { spawner, call } = await createHarness([{ name: 'Counted', children: failure }]);
  let reply = await counters(call as never);
  assert.deepEqual(
    { ...reply.applicationPools[0]!, startedAt: typeof reply.applicationPools[0]!.startedAt },
    {
      applicationPool: 'Counted',
      state: 'Running',
      startedAt: 'string',
      currentWorkerProcesses: 0,
      maximumWorkerProcesses: 0,
      recentWorkerProcessFailures: 0,
      lastWorkerProcessFailureAt: null,
      totalApplicationPoolRecycles: 0,
      totalWorkerProcessesCreated: 0,
      totalWorkerProcessFailures: 0,
      totalWorkerProcessPingFailures: 0,
      totalWorkerProcessShutdownFailures: 0,
      totalWorkerProcessStartupFailures: 0,
      recyclesByReason: {},
      workerExitsByReason: {},
    },
  );

  await call(demand('Counted'));
  spawner.last.ready();
  spawner.last.requestsServed = 7;
  spawner.last.errors404 = 2;
  reply = await counters(call as never);
  assert.equal(reply.applicationPools[0]!.currentWorkerProcesses, 1);
  assert.equal(reply.workers.length, 1);
  assert.equal(reply.workers[0]!.pid, spawner.last.pid);
  assert.equal(reply.workers[0]!.totalRequestsServed, 7);
  assert.equal(reply.workers[0]!.errors404, 2);

  spawner.last.exit(null, 'SIGKILL');
  await settle();
  await call(demand('Counted'));
  spawner.last.ready();
  await call({ type: 'RecycleApplicationPool', name: 'Counted' });
  await settle();
  spawner.last.ready();
  await settle();

  reply = await counters(call as never);
  const pool = reply.applicationPools[0]!;
  assert.equal(pool.totalWorkerProcessesCreated, 3);
  assert.equal(pool.totalWorkerProcessFailures, 1);
  assert.equal(pool.recentWorkerProcessFailures, 1);
  assert.ok(pool.lastWorkerProcessFailureAt);
  assert.equal(pool.totalApplicationPoolRecycles, 1);
  assert.deepEqual(pool.recyclesByReason, { OnDemand: 1 });
  assert.deepEqual(pool.workerExitsByReason, { crash: 1, recycle: 1 });
  assert.equal(pool.maximumWorkerProcesses, 2, 'the overlapped recycle ran two workers at once');

  await call({ type: 'StopApplicationPool', name: 'Counted' });
  reply = await counters(call as never);
  assert.equal(reply.applicationPools[0]!.state, 'Disabled');
  assert.equal(reply.applicationPools[0]!.startedAt, null);
  assert.deepEqual(reply.applicationPools[0]!.workerExitsByReason, { crash: 1, recycle: 1, adminStop: 1 });
});

test('RecycleWorkerProcess recycles that worker only; KillWorkerProcess ends it as a crash (5009); an unknown PID is named', async () => {
  const { spawner, call, eventIds } = await createHarness([{ name: 'Garden', children: '<processModel maxProcesses="2" />' }]);
  await call(demand('Garden'));
  spawner.last.ready();
  const first = spawner.last;
  await call({ type: 'WorkerDemanded', applicationPool: 'Garden', reason: 'AllWorkersBusy', queuedRequests: 1, attachedWorkers: 1 });
  spawner.last.ready();
  const second = spawner.last;
  assert.notEqual(first.pid, second.pid);

  await call({ type: 'RecycleWorkerProcess', pid: first.pid } as never);
  assert.notEqual(spawner.last, second, 'an overlapped recycle starts a replacement first');
  spawner.last.ready();
  await settle();
  assert.ok(first.received.some((message) => message.type === 'StopWorker'), 'the recycled worker is asked to stop');
  assert.ok(!second.received.some((message) => message.type === 'StopWorker'), 'the other worker is not');

  await call({ type: 'KillWorkerProcess', pid: second.pid } as never);
  await settle();
  assert.deepEqual(second.signals, ['SIGKILL']);
  assert.ok(eventIds().includes(5009));
  const reply = await counters(call as never);
  assert.equal(reply.applicationPools[0]!.totalWorkerProcessFailures, 1);
  assert.deepEqual(reply.applicationPools[0]!.recyclesByReason, { OnDemand: 1 });

  await assert.rejects(call({ type: 'KillWorkerProcess', pid: 999_999 } as never), /Cannot find WP object with identifier "999999"/);
});

test('the counters carry the configuration generation GetConfigurationFile names, so a scrape asks was once', async () => {
  const { call } = await createHarness([{ name: 'Counted' }]);
  const reply = await counters(call as never);
  const served = (await call({ type: 'GetConfigurationFile' } as never)) as { configuration?: { generation: string; source: string } };
  assert.ok(served.configuration, 'was knows its configuration generation');
  assert.match(reply.configuration?.generation ?? '', /^[0-9a-f]{12}$/);
  assert.deepEqual(reply.configuration, served.configuration);
});
