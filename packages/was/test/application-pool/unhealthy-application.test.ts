import { test } from 'node:test';
import assert from 'node:assert/strict';
import { settle } from '@poolhost/common/testing';
import { createHarness, demand } from '../support/was-harness.js';

const reason = "application 'Site/broken' (/srv/broken/server.js) failed to load: settings.json is missing";

test('a worker whose application reported itself unhealthy is replaced after rapidFailProtectionInterval / rapidFailProtectionMaxCrashes, counted as no failure', async () => {
  // 5 minutes / 5 = 60 s (the defaults).
  const { spawner, call, clock, was } = await createHarness([{ name: 'AppA' }]);
  await call(demand('AppA'));
  const old = spawner.last;
  old.ready();
  await clock.advance(10_000);
  old.send({ type: 'WorkerRecycleRequested', reason: 'IsapiUnhealthy', detail: reason, applicationFailedToLoad: true });
  old.send({ type: 'WorkerRecycleRequested', reason: 'IsapiUnhealthy', detail: reason, applicationFailedToLoad: true });
  await settle();
  assert.deepEqual(was.eventLog.journal().events.map((event) => [event.eventId, event.source]), [[2299, 'Microsoft-Windows-IIS-W3SVC-WP']]);
  assert.equal(
    was.eventLog.journal().events[0]!.message,
    `An application has reported as being unhealthy. The worker process will now request a recycle. Reason given: ${reason}. The data is the error.`,
  );
  await clock.advance(49_000);
  assert.equal(spawner.workers.length, 1, 'no replacement before 60 s after the unhealthy worker started');
  await clock.advance(1_000);
  assert.equal(spawner.workers.length, 2, 'the replacement starts 60 s after the unhealthy worker did');
  spawner.last.ready();
  await settle();
  assert.equal(old.hasExited, true);
  assert.deepEqual(was.eventLog.journal().events.map((event) => event.eventId), [2299, 5078]);
  const pools = await call({ type: 'ListApplicationPools' });
  assert.equal((pools as { applicationPools: Array<{ state: string }> }).applicationPools[0]!.state, 'Started');
});

test('the wait is kept within 1 s and 60 s, and is not counted by rapid-fail protection', async () => {
  const { spawner, call, clock, was } = await createHarness([
    { name: 'AppA', children: '<failure rapidFailProtectionInterval="00:01:00" rapidFailProtectionMaxCrashes="1000" />' },
  ]);
  await call(demand('AppA'));
  for (let round = 0; round < 3; round++) {
    const worker = spawner.last;
    worker.ready();
    worker.send({ type: 'WorkerRecycleRequested', reason: 'IsapiUnhealthy', detail: reason, applicationFailedToLoad: true });
    await settle();
    await clock.advance(999);
    assert.equal(spawner.workers.length, round + 1, '60 s / 1000 would be 60 ms: the wait is 1 s at least');
    await clock.advance(1);
    assert.equal(spawner.workers.length, round + 2);
  }
  spawner.last.ready();
  await settle();
  assert.equal(was.eventLog.journal().events.filter((event) => event.eventId === 5002).length, 0);
});
