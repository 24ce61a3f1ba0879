import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPoolhost } from '../support/poolhost-instance.js';
import { freePort, httpRequest } from '../support/http.js';
import { pidApp } from '../support/apps.js';
import { waitFor } from '../support/wait.js';
import { pidOf, processState, singlePoolConfig } from './recycling-support.js';

// Needs httpsys to send RequestQueueActive (packages/protocol/src/messages/request-queue-activity.ts).
test('idleTimeoutAction Suspend: an idle worker is frozen, survives pings, and is thawed to answer the next request', async () => {
  const port = await freePort();
  const poolhost = await startPoolhost(
    {
      config: singlePoolConfig(port, { name: 'Frozen', processModel: { idleTimeout: '00:01:00', idleTimeoutAction: 'Suspend', pingInterval: '00:00:01', pingResponseTime: '00:00:02' } }),
      files: { 'app/server.js': pidApp },
      waitForPort: port,
    },
    after,
  );
  const before = await pidOf(port);
  await waitFor('the worker to be suspended (state T)', () => processState(before) === 'T', 75_000, 200);
  await new Promise((resolve) => setTimeout(resolve, 4_000));
  assert.equal(processState(before), 'T', 'still frozen: pings do not kill a suspended worker');
  assert.equal(poolhost.events(5010).length, 0);
  const response = await httpRequest({ port, path: '/wake', timeoutMs: 15_000 }); // the thaw goes through was
  assert.equal(response.status, 200);
  assert.equal(Number(response.text), before, 'the same worker answered, thawed');
  assert.notEqual(processState(before), 'T');
});
