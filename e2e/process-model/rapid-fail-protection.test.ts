import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPoolhost } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort, httpRequest } from '../support/http.js';
import { crashingApp } from '../support/apps.js';
import { serviceUnavailableBody } from '../support/iis-bodies.js';
import { askWas } from '../support/runtime-client.js';
import { waitFor } from '../support/wait.js';

test('rapid-fail protection disables the pool on exactly the configured crash count; starting it serves again', async () => {
  const port = await freePort();
  const poolhost = await startPoolhost(
    {
      config: applicationHostConfig({
        pools: [{ name: 'Fragile', failure: { rapidFailProtectionMaxCrashes: '3', rapidFailProtectionInterval: '00:05:00' } }],
        sites: [{ name: 'RapidFail', id: 1, bindings: [`127.0.0.1:${port}:`], applications: [{ path: '/', pool: 'Fragile', physicalPath: '{{root}}/app' }] }],
      }),
      files: { 'app/server.js': crashingApp },
      waitForPort: port,
    },
    after,
  );
  const crash = async (count: number): Promise<void> => {
    const boom = await httpRequest({ port, path: '/boom' });
    assert.equal(boom.status, 200);
    await poolhost.waitForEvent(5009, count);
    await waitFor('the crashed worker to be gone', () => poolhost.workers('Fragile').length === 0);
  };
  await crash(1);
  await crash(2);
  const stillServing = await httpRequest({ port, path: '/' });
  assert.equal(stillServing.status, 200, 'two crashes out of three leave the pool running');
  await crash(3);
  const disabled = await poolhost.waitForEvent(5002);
  assert.equal(
    disabled[0]!.msg,
    "Application pool 'Fragile' is being automatically disabled due to a series of failures in the process(es) serving that application pool.",
  );

  const refused = await httpRequest({ port, path: '/' });
  assert.equal(refused.status, 503);
  assert.equal(refused.text, serviceUnavailableBody);
  assert.equal(refused.headers['content-length'], '326');
  assert.equal(refused.headers['content-type'], 'text/html; charset=us-ascii');
  assert.equal(refused.headers.server, 'Microsoft-HTTPAPI/2.0');
  assert.equal(refused.headers.connection, 'close');
  assert.equal(poolhost.workers('Fragile').length, 0, 'a disabled pool starts no worker');

  const pools = await askWas(poolhost.runDirectory, { type: 'ListApplicationPools' });
  assert.equal(pools.applicationPools.find((pool) => pool.name === 'Fragile')?.state, 'Stopped');

  await askWas(poolhost.runDirectory, { type: 'StartApplicationPool', name: 'Fragile' });
  // The started pool's first worker is demand-started: a Node process start, seconds on a loaded 2-core machine.
  await waitFor('the pool to serve again', async () => (await httpRequest({ port, path: '/', timeoutMs: 30_000 })).status === 200, 30_000);
});
