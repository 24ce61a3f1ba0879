import { test } from 'node:test';
import assert from 'node:assert/strict';
import { settle } from '@poolhost/common/testing';
import { createHarness, demand } from '../support/was-harness.js';

const failure = '<failure rapidFailProtectionMaxCrashes="3" rapidFailProtectionInterval="00:01:00" />';

test('rapid-fail protection trips on exactly the configured count, then the queue answers 503 until started', async () => {
  const { spawner, call, queueStates, eventIds, was } = await createHarness([{ name: 'Flaky', children: failure }, { name: 'Steady' }]);
  for (let crash = 1; crash <= 2; crash++) {
    await call(demand('Flaky'));
    spawner.last.ready();
    spawner.last.exit(1, null);
    await settle();
    assert.equal(was.applicationPool('Flaky')?.state, 'Started', `still started after ${crash} crashes`);
  }
  await call(demand('Flaky'));
  spawner.last.exit(1, null);
  await settle();
  assert.equal(was.applicationPool('Flaky')?.state, 'Stopped');
  assert.deepEqual(eventIds(), [5009, 5009, 5009, 5002]);
  assert.deepEqual(queueStates.at(-1), { applicationPool: 'Flaky', enabled: false, disabledReason: 'AppOffline', rapidFailProtection: true });
  const pools = await call({ type: 'ListApplicationPools' });
  assert.ok(pools && pools.type === 'ApplicationPoolList');
  assert.match(pools.applicationPools[0]!.disabledReason ?? '', /rapid-fail protection: 3 failures within 1 minute/);
  assert.equal(pools.applicationPools[1]!.state, 'Started');

  const before = spawner.workers.length;
  await call(demand('Flaky'));
  assert.equal(spawner.workers.length, before, 'no worker for a disabled pool');

  await call({ type: 'StartApplicationPool', name: 'Flaky' });
  assert.deepEqual(queueStates.at(-1), { applicationPool: 'Flaky', enabled: true });
  await call(demand('Flaky'));
  assert.equal(spawner.workers.length, before + 1);
});

test('failures outside the interval do not add up', async () => {
  const { spawner, call, clock, was } = await createHarness([{ name: 'Flaky', children: failure }]);
  for (let crash = 0; crash < 5; crash++) {
    await call(demand('Flaky'));
    spawner.last.exit(1, null);
    await clock.advance(31_000);
  }
  assert.equal(was.applicationPool('Flaky')?.state, 'Started');
});

test('rapidFailProtection="false" never disables the pool', async () => {
  const { spawner, call, was } = await createHarness([
    { name: 'Flaky', children: '<failure rapidFailProtection="false" rapidFailProtectionMaxCrashes="1" />' },
  ]);
  for (let crash = 0; crash < 3; crash++) {
    await call(demand('Flaky'));
    spawner.last.exit(1, null);
    await settle();
  }
  assert.equal(was.applicationPool('Flaky')?.state, 'Started');
});

test('a crash is logged as 5009 with IIS wording and the exit code; a signal says so', async () => {
  const { spawner, call, was, logLines } = await createHarness([{ name: 'AppA' }]);
  await call(demand('AppA'));
  spawner.last.ready();
  spawner.last.exit(3, null);
  await settle();
  await call(demand('AppA'));
  spawner.last.ready();
  spawner.last.exit(null, 'SIGKILL');
  await settle();
  const events = was.eventLog.journal().events;
  assert.equal(
    events[0]!.message,
    "A process serving application pool 'AppA' terminated unexpectedly. The process id was '1000'. The process exit code was '3'.",
  );
  assert.equal(
    events[1]!.message,
    "A process serving application pool 'AppA' terminated unexpectedly. The process id was '1001'. The process exit code was 'SIGKILL (terminated by signal)'.",
  );
  assert.ok(logLines.some((line) => line.eventId === 5009 && line.level === 40));
  const { workerHistory } = was.eventLog.journal('AppA');
  assert.deepEqual(workerHistory.map((entry) => entry.reason), ['crash (exit code 3)', 'crash (signal SIGKILL)']);
});

test('a worker that fails before it is ready delays the next demand start by 1 s; each failure counts once', async () => {
  const { spawner, call, clock, eventIds, was } = await createHarness([{ name: 'Broken', children: failure }]);
  await call(demand('Broken'));
  spawner.last.exit(1, null);
  await settle();
  await call(demand('Broken'));
  await call(demand('Broken'));
  assert.equal(spawner.workers.length, 1, 'the queued requests do not start a worker at once');
  await clock.advance(999);
  assert.equal(spawner.workers.length, 1);
  await clock.advance(1);
  assert.equal(spawner.workers.length, 2, 'one worker 1 s after the failure, however many demands came meanwhile');
  spawner.last.ready();
  spawner.last.exit(1, null);
  await settle();
  await call(demand('Broken'));
  assert.equal(spawner.workers.length, 3, 'a worker that was ready and then crashed is replaced on demand at once');
  assert.deepEqual(eventIds(), [5009, 5009]);
  assert.equal(was.applicationPool('Broken')?.state, 'Started');
});
