import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPoolhost } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort, httpRequest } from '../support/http.js';
import { pidApp } from '../support/apps.js';
import { sleep } from '../support/wait.js';

test('an OnDemand pool has no worker before its first request, and the worker that starts serves it', async () => {
  const port = await freePort();
  const poolhost = await startPoolhost(
    {
      config: applicationHostConfig({
        pools: [{ name: 'DefaultAppPool' }],
        sites: [{ name: 'Demand', id: 1, bindings: [`127.0.0.1:${port}:`], applications: [{ path: '/', physicalPath: '{{root}}/app' }] }],
      }),
      files: { 'app/server.js': pidApp },
      waitForPort: port,
    },
    after,
  );
  const roles = poolhost.processes().map((info) => info.role).sort();
  assert.deepEqual(roles, ['httpsys', 'poolhost', 'w3svc', 'was']);
  await sleep(300);
  assert.equal(poolhost.workers().length, 0, 'no w3wp may exist before the first request');

  const response = await httpRequest({ port, path: '/' });
  assert.equal(response.status, 200);
  const workers = poolhost.workers('DefaultAppPool');
  assert.equal(workers.length, 1);
  assert.equal(response.text, String(workers[0]!.pid), 'the demand-started worker answered');

  const second = await httpRequest({ port, path: '/again' });
  assert.equal(second.text, response.text, 'later requests reuse the running worker');

  const status = await poolhost.cli('status');
  assert.equal(status.code, 0);
  assert.match(status.stdout, new RegExp(`${workers[0]!.pid}.*DefaultAppPool`));
});
