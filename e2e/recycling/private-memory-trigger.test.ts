import { test, after } from 'node:test';
import { memoryApp } from '../support/apps.js';
import { httpRequest } from '../support/http.js';
import { expectTriggerRecycles } from './trigger-test.js';

// Private bytes on Linux: RssAnon + VmSwap of the worker (docs/process-model.md).
test('periodicRestart privateMemory recycles a worker whose private bytes pass the limit (5117)', async () => {
  await expectTriggerRecycles(
    {
      pool: { name: 'Private', periodicRestart: { privateMemory: '150000' } },
      app: memoryApp,
      eventId: 5117,
      message: (_pid, pool) => `A worker process serving application pool '${pool}' has requested a recycle because it reached its private bytes memory limit.`,
      provoke: async (port) => void (await httpRequest({ port, path: '/allocate?mb=200' })),
      timeoutMs: 10_000,
    },
    after,
  );
});
