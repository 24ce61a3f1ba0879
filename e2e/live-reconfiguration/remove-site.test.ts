import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPoolhost } from '../support/poolhost-instance.js';
import { freePort, httpRequest, tcpAccepts } from '../support/http.js';
import { pidApp } from '../support/apps.js';
import { waitFor } from '../support/wait.js';
import { configText, saveConfig } from '../recycling/recycling-support.js';

test('removing a site closes only its listener; the other site keeps its connection and worker', async () => {
  const [first, second] = [await freePort(), await freePort()];
  const pools = [{ name: 'Kept' }];
  const kept = { name: 'Kept', id: 1, bindings: [`127.0.0.1:${first}:`], applications: [{ path: '/', pool: 'Kept', physicalPath: '{{root}}/app' }] };
  const removed = { name: 'Removed', id: 2, bindings: [`127.0.0.1:${second}:`], applications: [{ path: '/', pool: 'Kept', physicalPath: '{{root}}/app' }] };
  const poolhost = await startPoolhost({ config: configText(pools, [kept, removed]), files: { 'app/server.js': pidApp }, waitForPort: first }, after);
  const pid = (await httpRequest({ port: first })).text;
  assert.equal((await httpRequest({ port: second })).status, 200);
  saveConfig(poolhost, configText(pools, [kept]));
  // A configuration reload: 15 s leaves room for a loaded 2-core machine. The probes are bare connects to the
  // removed site's port, which nothing here counts.
  await waitFor('the removed site to stop listening', async () => !(await tcpAccepts(second)), 15_000, 50);
  assert.equal(await tcpAccepts(first), true);
  assert.equal((await httpRequest({ port: first })).text, pid, 'same worker, nothing recycled');
  assert.equal(poolhost.events(5080).length, 0);
});
