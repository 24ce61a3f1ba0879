// A pool disabled by rapid-fail protection answers 503 for URLs its workers had cached: nothing is served
// from the cache for a disabled queue.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPoolhost } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort, httpRequest } from '../support/http.js';
import { crashingApp } from '../support/apps.js';
import { serviceUnavailableBody } from '../support/iis-bodies.js';
import { waitFor } from '../support/wait.js';
import { cacheState } from './cache-support.js';

test('a rapid-fail-disabled pool does not serve from the cache', async () => {
  const port = await freePort();
  const poolhost = await startPoolhost(
    {
      config: applicationHostConfig({
        pools: [{ name: 'Fragile', failure: { rapidFailProtectionMaxCrashes: '2', rapidFailProtectionInterval: '00:05:00' } }],
        sites: [
          {
            name: 'Site',
            id: 1,
            bindings: [`127.0.0.1:${port}:`],
            applications: [
              { path: '/', pool: 'Fragile', physicalPath: '{{root}}/www' },
              { path: '/app', pool: 'Fragile', physicalPath: '{{root}}/app' },
            ],
          },
        ],
      }),
      files: { 'www/page.txt': 'page', 'app/server.js': crashingApp },
      waitForPort: port,
    },
    after,
  );
  const cachePage = async (): Promise<void> => {
    for (let i = 0; i < 3; i++) assert.equal((await httpRequest({ port, path: '/page.txt' })).text, 'page');
    assert.equal((await cacheState(poolhost)).entries.length, 1);
  };
  const crash = async (count: number): Promise<void> => {
    assert.equal((await httpRequest({ port, path: '/app/boom' })).status, 200);
    await poolhost.waitForEvent(5009, count);
    await waitFor('the crashed worker to be gone', () => poolhost.workers('Fragile').length === 0);
  };
  await cachePage();
  await crash(1);
  await cachePage();
  await crash(2);
  await poolhost.waitForEvent(5002);
  const refused = await httpRequest({ port, path: '/page.txt' });
  assert.equal(refused.status, 503);
  assert.equal(refused.text, serviceUnavailableBody);
  assert.deepEqual((await cacheState(poolhost)).entries, []);
});
