import { test, after } from 'node:test';
import { pidApp } from '../support/apps.js';
import { httpRequest } from '../support/http.js';
import { expectTriggerRecycles } from './trigger-test.js';

test('periodicRestart requests recycles the worker once it has served that many (5075)', async () => {
  await expectTriggerRecycles(
    {
      pool: { name: 'Counted', periodicRestart: { requests: '10' } },
      app: pidApp,
      eventId: 5075,
      message: (pid, pool) => `A worker process with process id of '${pid}' serving application pool '${pool}' has requested a recycle because it reached its allowed request limit.`,
      provoke: async (port) => {
        for (let i = 0; i < 10; i++) await httpRequest({ port, path: `/${i}` });
      },
      timeoutMs: 10_000,
    },
    after,
  );
});
