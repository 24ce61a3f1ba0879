import { test, after } from 'node:test';
import { pidApp } from '../support/apps.js';
import { expectTriggerRecycles } from './trigger-test.js';

// periodicRestart@time is whole minutes (IIS schema), so this test takes a little over a minute.
test('periodicRestart time recycles the worker that long after it started (5074)', async () => {
  await expectTriggerRecycles(
    {
      pool: { name: 'Timed', periodicRestart: { time: '00:01:00' } },
      app: pidApp,
      eventId: 5074,
      message: (pid, pool) => `A worker process with process id of '${pid}' serving application pool '${pool}' has requested a recycle because the worker process reached its allowed processing time limit.`,
      timeoutMs: 75_000,
    },
    after,
  );
});
