// An application added to a pool whose worker already runs is served: the worker loaded its pool's
// applications when it started, so was replaces it (overlapped, 5080) and the new one loads the new
// application too — instead of the old worker answering 404 "not loaded in this worker process".
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPoolhost } from '../support/poolhost-instance.js';
import { freePort, httpRequest } from '../support/http.js';
import { waitFor } from '../support/wait.js';
import { configText, saveConfig } from '../recycling/recycling-support.js';

const app = (name: string): string => `module.exports = (req, res) => res.end('${name} ' + process.pid);`;

test('an application added to a running pool is served, by a worker that replaced the one that did not load it', async () => {
  const port = await freePort();
  const pools = [{ name: 'Shared' }];
  const root = { path: '/', pool: 'Shared', physicalPath: '{{root}}/root' };
  const extra = { path: '/extra', pool: 'Shared', physicalPath: '{{root}}/extra' };
  const site = (applications: (typeof root)[]) => ({ name: 'Site', id: 1, bindings: [`127.0.0.1:${port}:`], applications });
  const poolhost = await startPoolhost(
    { config: configText(pools, [site([root])]), files: { 'root/server.js': app('root'), 'extra/server.js': app('extra') }, waitForPort: port },
    after,
  );
  const [, firstPid] = (await httpRequest({ port, path: '/' })).text.split(' ');
  saveConfig(poolhost, configText(pools, [site([root, extra])]));
  await waitFor('the new application to be served', async () => (await httpRequest({ port, path: '/extra/', timeoutMs: 5_000 })).text.startsWith('extra '), 30_000, 100);
  const [, extraPid] = (await httpRequest({ port, path: '/extra/' })).text.split(' ');
  assert.notEqual(extraPid, firstPid, 'served by the replacement worker');
  assert.equal((await httpRequest({ port, path: '/' })).text, `root ${extraPid}`, 'one worker serves both applications of the pool');
  await waitFor('the recycle event', () => poolhost.logLines.some((line) => /applications changed; its workers are replaced/.test(String(line.msg))), 10_000);
});
