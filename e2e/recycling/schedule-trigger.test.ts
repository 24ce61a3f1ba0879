import { test, after } from 'node:test';
import { pidApp } from '../support/apps.js';
import { expectTriggerRecycles } from './trigger-test.js';

/** The next local whole minute at least 20 s away (schedule entries are whole minutes). */
function nextMinute(): string {
  const at = new Date(Date.now() + 20_000);
  at.setSeconds(0, 0);
  at.setMinutes(at.getMinutes() + 1);
  return `${String(at.getHours()).padStart(2, '0')}:${String(at.getMinutes()).padStart(2, '0')}:00`;
}

test('periodicRestart schedule recycles the worker at the local time of day (5076)', async () => {
  await expectTriggerRecycles(
    {
      pool: { name: 'Scheduled', periodicRestart: { time: '00:00:00' }, schedule: [nextMinute()] },
      app: pidApp,
      eventId: 5076,
      message: (pid, pool) => `A worker process with process id of '${pid}' serving application pool '${pool}' has requested a recycle because it reached its scheduled recycle time.`,
      timeoutMs: 95_000,
    },
    after,
  );
});
