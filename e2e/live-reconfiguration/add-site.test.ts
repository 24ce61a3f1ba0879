import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPoolhost } from '../support/poolhost-instance.js';
import { freePort, httpRequest } from '../support/http.js';
import { pidApp } from '../support/apps.js';
import { waitFor } from '../support/wait.js';
import { configText, saveConfig } from '../recycling/recycling-support.js';

test('a site added to applicationHost.config while serving answers without a restart; the first keeps serving', async () => {
  const [first, second] = [await freePort(), await freePort()];
  const pools = [{ name: 'One' }, { name: 'Two' }];
  const siteOne = { name: 'One', id: 1, bindings: [`127.0.0.1:${first}:`], applications: [{ path: '/', pool: 'One', physicalPath: '{{root}}/app' }] };
  const siteTwo = { name: 'Two', id: 2, bindings: [`127.0.0.1:${second}:`], applications: [{ path: '/', pool: 'Two', physicalPath: '{{root}}/app' }] };
  const poolhost = await startPoolhost({ config: configText(pools, [siteOne]), files: { 'app/server.js': pidApp }, waitForPort: first }, after);
  const firstPid = (await httpRequest({ port: first })).text;
  const saved = Date.now();
  saveConfig(poolhost, configText(pools, [siteOne, siteTwo]));
  // The wait covers the reload and the new pool's first worker (a Node process start: seconds on a loaded
  // 2-core machine); how long it took is reported, not asserted (tests assert behaviour, not latency).
  await waitFor('the new site to answer', async () => (await httpRequest({ port: second, timeoutMs: 5_000 })).status === 200, 30_000, 50);
  console.log(`new site answered ${Date.now() - saved} ms after the save`);
  assert.equal((await httpRequest({ port: first })).text, firstPid, 'the first site was not disturbed');
});
