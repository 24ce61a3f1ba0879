import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startPoolhost } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort, httpRequest, tcpAccepts } from '../support/http.js';
import { markingPidApp } from '../support/apps.js';
import { waitFor } from '../support/wait.js';
import { orphanedWorkers, servicePid } from './support/orphans.js';

test('SIGKILL of httpsys: its connections and queued requests are lost, the port stays open, poolhost restarts it, workers are replaced, no failure is charged to the pool', async () => {
  const port = await freePort();
  const poolhost = await startPoolhost(
    {
      config: applicationHostConfig({
        pools: [{ name: 'A', failure: { rapidFailProtectionMaxCrashes: '2' } }],
        sites: [{ name: 'Site', id: 1, bindings: [`127.0.0.1:${port}:`], applications: [{ path: '/', pool: 'A', physicalPath: '{{root}}/app' }] }],
      }),
      files: { 'app/server.js': markingPidApp },
      waitForPort: port,
    },
    after,
  );
  for (let round = 0; round < 3; round++) {
    const first = await httpRequest({ port, path: '/' });
    assert.equal(first.status, 200);
    const oldWorker = Number(first.text);
    const oldHttpsys = servicePid(poolhost, 'httpsys')!;
    // A request in flight when httpsys dies: its connection is reset (nothing else can answer it).
    // Killed once the application has it: a request still in the kernel's accept queue when httpsys dies
    // would be accepted and served by the new httpsys (poolhost holds the listening socket), not reset.
    const inFlight = httpRequest({ port, path: `/slow?delay=20000&mark=slow-${round}`, timeoutMs: 30_000 }).then((response) => response.status, () => 'reset');
    await waitFor('the slow request to reach the worker', () => existsSync(join(poolhost.root, `slow-${round}`)), 15_000);
    process.kill(oldHttpsys, 'SIGKILL');
    assert.equal(await inFlight, 'reset');
    // poolhost holds the listening socket: the kernel accepts while no httpsys runs.
    assert.equal(await tcpAccepts(port), true, 'the port accepts while httpsys is down');
    await waitFor('the old worker to exit (its data connection closed)', () => !poolhost.workers().some((info) => info.pid === oldWorker), 10_000);
    // A new httpsys and a new worker: two Node process starts, seconds each on a loaded 2-core machine.
    await waitFor('httpsys to answer again', async () => (await httpRequest({ port, path: '/', timeoutMs: 5_000 })).status === 200, 30_000, 100);
    assert.notEqual(servicePid(poolhost, 'httpsys'), oldHttpsys);
    assert.deepEqual(orphanedWorkers(poolhost), []);
  }
  // Three httpsys deaths took three workers each time; none of it is the application's fault.
  assert.equal(poolhost.events(5002).length, 0, 'rapid-fail protection was not tripped');
  assert.equal((await httpRequest({ port, path: '/' })).status, 200);
});
