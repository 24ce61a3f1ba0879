// An application whose entry script throws while loading fails alone: the request gets IIS's 500
// (500.1001, iisnode's "cannot start the application"), the event log shows one failure (2299), the pool
// stays Started and its other applications keep serving from the same worker; the worker is replaced
// (5078) no sooner than rapidFailProtectionInterval / rapidFailProtectionMaxCrashes after it started, so a
// fixed application is picked up without an administrator, and a broken one is never retried in a loop.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startPoolhost } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort, httpRequest } from '../support/http.js';
import { pidApp } from '../support/apps.js';
import { askWas } from '../support/runtime-client.js';
import { sleep, waitFor } from '../support/wait.js';

const brokenApp = "throw new Error('settings.json is missing');\n";

test('an application that throws while loading answers 500.1001, counts one failure, and leaves its pool and the pool\'s other applications serving', async () => {
  const port = await freePort();
  const poolhost = await startPoolhost(
    {
      config: applicationHostConfig({
        // 1 minute / 60 = a replacement no sooner than 1 s after the unhealthy worker started.
        pools: [{ name: 'Shared', failure: { rapidFailProtectionInterval: '00:01:00', rapidFailProtectionMaxCrashes: '60' } }],
        sites: [
          {
            name: 'Site',
            id: 1,
            bindings: [`127.0.0.1:${port}:`],
            applications: [
              { path: '/', pool: 'Shared', physicalPath: '{{root}}/good' },
              { path: '/broken', pool: 'Shared', physicalPath: '{{root}}/broken' },
            ],
          },
        ],
      }),
      files: { 'good/server.js': pidApp, 'broken/server.js': brokenApp },
      waitForPort: port,
    },
    after,
  );

  // No worker runs before this request (demand start): every worker of the pool starts after this moment.
  const firstRequestAt = Date.now();
  const failed = await httpRequest({ port, path: '/broken/' });
  assert.equal(failed.status, 500);
  assert.match(failed.text, /HTTP Error 500\.1001 - Internal Server Error/);
  assert.match(failed.text, /settings\.json is missing/, 'a local request sees the detailed error with what the entry script threw');
  const [worker] = poolhost.workers('Shared');
  assert.ok(worker, 'the worker that hosts the broken application is running');

  const good = await httpRequest({ port, path: '/' });
  assert.equal(good.status, 200, 'the pool\'s other application serves');
  assert.equal(good.text, String(worker.pid), 'from the same worker');

  const [unhealthy] = await poolhost.waitForEvent(2299);
  assert.match(String(unhealthy!.msg), /^An application has reported as being unhealthy\. The worker process will now request a recycle\. Reason given: application 'Site\/broken' \(.*server\.js\) failed to load: settings\.json is missing\. The data is the error\.$/);

  // Requests to the broken application for 2.5 s (and at least six rounds): each is answered, the good one
  // keeps serving, and the worker is replaced once per second at most.
  const until = Date.now() + 2_500;
  let answered = 0;
  while (Date.now() < until || answered < 6) {
    const [broken, other] = await Promise.all([httpRequest({ port, path: '/broken/again' }), httpRequest({ port, path: '/' })]);
    assert.equal(broken.status, 500);
    assert.equal(other.status, 200);
    answered++;
    await sleep(50);
  }
  // The first replacement is due 1 s after the first worker started; on a loaded machine it may come after the loop.
  await poolhost.waitForEvent(5078, 1, 15_000);
  // Counted against the time that really passed (a round can take long on a loaded machine): the k-th
  // replacement comes no sooner than k seconds after the first worker started, which was after firstRequestAt.
  const replacements = poolhost.events(5078).length;
  const elapsed = Date.now() - firstRequestAt;
  assert.ok(replacements <= Math.floor(elapsed / 1_000), `${replacements} unhealthy recycles in ${elapsed} ms (one per second at most)`);
  assert.ok(poolhost.events(2299).length <= replacements + 1, 'one 2299 per worker');
  assert.equal(poolhost.events(5009).length + poolhost.events(5012).length + poolhost.events(5002).length, 0, 'no worker failure, no rapid-fail protection');
  const pools = await askWas(poolhost.runDirectory, { type: 'ListApplicationPools' });
  assert.equal(pools.applicationPools.find((pool) => pool.name === 'Shared')?.state, 'Started');

  // The application is fixed: the next replacement loads it.
  writeFileSync(join(poolhost.root, 'broken', 'server.js'), pidApp);
  await waitFor('the fixed application to serve', async () => (await httpRequest({ port, path: '/broken/' })).status === 200, 15_000);
  assert.equal(poolhost.events(5002).length, 0);
});
