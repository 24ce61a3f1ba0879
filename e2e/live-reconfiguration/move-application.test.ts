import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPoolhost } from '../support/poolhost-instance.js';
import { freePort } from '../support/http.js';
import { pidApp } from '../support/apps.js';
import { waitFor } from '../support/wait.js';
import { configText, pidOf, saveConfig, workerPids } from '../recycling/recycling-support.js';

test('an application moved to another pool is served by that pool from the next request; a pool added on the way starts', async () => {
  const port = await freePort();
  const site = (pool: string) => ({ name: 'Moving', id: 1, bindings: [`127.0.0.1:${port}:`], applications: [{ path: '/', pool: 'Old', physicalPath: '{{root}}/app' }, { path: '/api', pool, physicalPath: '{{root}}/app' }] });
  const poolhost = await startPoolhost({ config: configText([{ name: 'Old' }], [site('Old')]), files: { 'app/server.js': pidApp }, waitForPort: port }, after);
  const oldPid = await pidOf(port, '/api/x');
  saveConfig(poolhost, configText([{ name: 'Old' }, { name: 'New' }], [site('New')]));
  // The reload and the new pool's first worker (a Node process start: seconds on a loaded 2-core machine).
  await waitFor('the application to move', async () => (await pidOf(port, '/api/x')) !== oldPid, 30_000, 50);
  const newPid = await pidOf(port, '/api/x');
  assert.deepEqual(await workerPids(poolhost, 'New'), [newPid]);
  assert.equal(await pidOf(port, '/'), oldPid, 'the root application stays in its pool');
});
