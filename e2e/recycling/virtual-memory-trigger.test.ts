import { test, after } from 'node:test';
import { memoryApp } from '../support/apps.js';
import { httpRequest } from '../support/http.js';
import { expectTriggerRecycles } from './trigger-test.js';

// Virtual bytes on Linux: VmSize of the worker. A fresh worker reserves about 1 GB; reserving
// 1.5 GB more (never touched, so it costs no RAM) passes a 2 GB limit.
test('periodicRestart memory recycles a worker whose virtual bytes pass the limit (5077)', async () => {
  await expectTriggerRecycles(
    {
      pool: { name: 'Virtual', periodicRestart: { memory: '2000000' } },
      app: memoryApp,
      eventId: 5077,
      message: (pid, pool) => `A worker process with process id of '${pid}' serving application pool '${pool}' has requested a recycle because it reached its virtual memory limit.`,
      provoke: async (port) => void (await httpRequest({ port, path: '/reserve?mb=1536' })),
      timeoutMs: 10_000,
    },
    after,
  );
});
