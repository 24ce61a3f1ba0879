import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPoolhost } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort, httpRequest } from '../support/http.js';
import { neverReadyApp } from '../support/apps.js';
import { waitFor } from '../support/wait.js';

test('a worker that never becomes ready is killed at startupTimeLimit (5012)', async () => {
  const port = await freePort();
  const poolhost = await startPoolhost(
    {
      config: applicationHostConfig({
        pools: [{ name: 'Stuck', processModel: { startupTimeLimit: '00:00:02' }, failure: { rapidFailProtectionMaxCrashes: '1' } }],
        sites: [{ name: 'Startup', id: 1, bindings: [`127.0.0.1:${port}:`], applications: [{ path: '/', pool: 'Stuck', physicalPath: '{{root}}/app' }] }],
      }),
      files: { 'app/server.js': neverReadyApp },
      waitForPort: port,
    },
    after,
  );
  const pending = httpRequest({ port, path: '/', timeoutMs: 15_000 });
  await waitFor('a worker to start', () => poolhost.workers('Stuck').length === 1);
  const [worker] = poolhost.workers('Stuck');
  // startupTimeLimit is 2 s; the wait leaves room for a loaded 2-core machine (nothing here is timed).
  const [event] = await poolhost.waitForEvent(5012, 1, 30_000);
  assert.equal(event!.msg, `A process serving application pool 'Stuck' exceeded time limits during start up. The process id was '${worker!.pid}'.`);
  await waitFor('the stuck worker to be killed', () => !poolhost.workers('Stuck').some((candidate) => candidate.pid === worker!.pid));
  // One failure is the configured maximum: the pool is disabled and the waiting request gets the 503.
  await poolhost.waitForEvent(5002);
  const response = await pending;
  assert.equal(response.status, 503);
  // A worker the waiting request demanded before the exit disabled the pool is stopped with it; stuck in
  // its start too, it is killed at startupTimeLimit (2 s), not at shutdownTimeLimit (90 s).
  await waitFor('no worker left in the disabled pool', () => poolhost.workers('Stuck').length === 0);
});
