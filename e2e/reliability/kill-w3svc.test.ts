import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPoolhost } from '../support/poolhost-instance.js';
import { poolsBehindOneSite } from '../support/config-builder.js';
import { freePort, httpRequest } from '../support/http.js';
import { pidApp } from '../support/apps.js';
import { sleep, waitFor } from '../support/wait.js';
import { getLoad } from './support/load.js';
import { orphanedWorkers, servicePid } from './support/orphans.js';

test('SIGKILL of w3svc: httpsys keeps serving with the same workers, poolhost restarts w3svc, demand start works again', async () => {
  const port = await freePort();
  const poolhost = await startPoolhost(
    {
      config: poolsBehindOneSite(port, [{ name: 'A' }, { name: 'Later' }], { '/': 'A', '/later': 'Later' }),
      files: { 'app/server.js': pidApp },
      waitForPort: port,
    },
    after,
  );
  const load = getLoad(port, 6, (client, sequence) => `/a/${client}-${sequence}?delay=10`);
  after(() => load.stop().then(() => undefined));
  await waitFor('load to flow', () => load.completed() > 20, 10_000);
  const workerBefore = poolhost.workers('A')[0]!.pid;
  const oldW3svc = servicePid(poolhost, 'w3svc')!;
  process.kill(oldW3svc, 'SIGKILL');
  const killedAt = load.completed();
  await sleep(300);
  assert.ok(load.completed() > killedAt, 'requests kept being served while w3svc was down');
  await waitFor('a new w3svc', () => (servicePid(poolhost, 'w3svc') ?? oldW3svc) !== oldW3svc, 10_000);
  await sleep(500);
  const result = await load.stop();

  assert.deepEqual(result.failures, []);
  assert.deepEqual(poolhost.workers('A').map((info) => info.pid), [workerBefore], 'the worker was kept (adopted), not replaced');
  // Demand start goes through w3svc: a pool without a worker still gets one.
  const later = await httpRequest({ port, path: '/later/' });
  assert.equal(later.status, 200);
  assert.deepEqual(orphanedWorkers(poolhost), []);
});
