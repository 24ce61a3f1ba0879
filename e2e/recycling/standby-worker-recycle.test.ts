// standbyWorker="true" (poolhost extension): a recycle replaces the pool's standby with its workers, so
// the standby promoted after the next crash serves the configuration the recycle brought — a pool
// setting (an environment variable) or a web.config (a custom header) — not the one it started with.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startPoolhost, type PoolhostInstance } from '../support/poolhost-instance.js';
import { freePort, httpRequest, type HttpResponse } from '../support/http.js';
import { askWas } from '../support/runtime-client.js';
import { waitFor } from '../support/wait.js';
import { configText, pidAlive, saveConfig } from './recycling-support.js';
import { appcmd } from '../appcmd/appcmd-process.js';

/** Answers "<GREETING> <pid>"; web.config's customHeaders add their headers. */
const greetingApp = `
module.exports = (req, res) => {
  res.setHeader('content-type', 'text/plain');
  res.end(process.env.GREETING + ' ' + process.pid);
};
`;

const webConfig = (generation: string) =>
  `<configuration>\n  <system.webServer>\n    <httpProtocol>\n      <customHeaders>\n        <add name="X-Generation" value="${generation}" />\n      </customHeaders>\n    </httpProtocol>\n  </system.webServer>\n</configuration>\n`;

const poolConfig = (port: number, greeting: string) =>
  configText(
    [{ name: 'Hot', attributes: { standbyWorker: 'true' }, environmentVariables: { GREETING: greeting } }],
    [{ name: 'Site', id: 1, bindings: [`127.0.0.1:${port}:`], applications: [{ path: '/', pool: 'Hot', physicalPath: '{{root}}/app' }] }],
  );

async function runningWorkers(poolhost: PoolhostInstance): Promise<Array<{ pid: number; role?: string }>> {
  const list = await askWas(poolhost.runDirectory, { type: 'ListWorkerProcesses', applicationPool: 'Hot' });
  return list.workers.filter((worker) => worker.state === 'Running');
}

/**
 * Waits until the pool is served as `serves` accepts, by a worker none of `before`, with one other worker
 * ready beside it (its standby) and nothing else, was listing them as active and standby; returns both pids.
 */
async function servingAndStandby(poolhost: PoolhostInstance, port: number, before: number[], serves: (response: HttpResponse) => boolean): Promise<{ serving: number; standby: number }> {
  let serving = 0;
  let running: Array<{ pid: number; role?: string }> = [];
  await waitFor(
    'the recycled pool to serve, with a standby ready beside its worker',
    async () => {
      const response = await httpRequest({ port, path: '/' });
      if (response.status !== 200 || !serves(response)) return false;
      serving = Number(response.text.split(' ')[1]);
      running = await runningWorkers(poolhost);
      const roles = running.map((worker) => (worker.pid === serving ? `${worker.role}` : `other ${worker.role}`)).sort();
      return !before.includes(serving) && running.length === 2 && roles.join() === 'active,other standby' && !before.some(pidAlive);
    },
    60_000,
    100,
  );
  return { serving, standby: running.find((worker) => worker.pid !== serving)!.pid };
}

/** SIGKILLs the serving worker; the next answer comes from the standby (httpsys promotes it at once). */
async function crashAndAsk(port: number, serving: number): Promise<HttpResponse> {
  process.kill(serving, 'SIGKILL');
  await waitFor('the crashed worker to be gone', () => !pidAlive(serving), 10_000);
  return httpRequest({ port, path: '/' });
}

test('standbyWorker: after a pool change or a web.config change, the standby promoted by a crash serves the new configuration', async () => {
  const port = await freePort();
  const poolhost = await startPoolhost({ config: poolConfig(port, 'old'), files: { 'app/server.js': greetingApp, 'app/web.config': webConfig('1') }, waitForPort: port }, after);

  // The first worker and its standby, both started with GREETING=old.
  const first = await servingAndStandby(poolhost, port, [], (response) => response.text.startsWith('old '));
  // appcmd list wp /text:* names each one's role in the pool (poolhost extension).
  const env = { POOLHOST_RUN_DIR: poolhost.runDirectory, POOLHOST_CONFIG: poolhost.configFile };
  assert.match((await appcmd(['list', 'wp', String(first.serving), '/text:*'], { env })).stdout, /\n {2}role: active\n/);
  assert.match((await appcmd(['list', 'wp', String(first.standby), '/text:*'], { env })).stdout, /\n {2}role: standby\n/);

  // A pool setting changes: 5080, the worker and the standby are replaced.
  saveConfig(poolhost, poolConfig(port, 'new'));
  await poolhost.waitForEvent(5080, 1, 30_000);
  const second = await servingAndStandby(poolhost, port, [first.serving], (response) => response.text.startsWith('new '));
  assert.notEqual(second.standby, first.standby, 'the standby started with GREETING=old was replaced');
  const afterCrash = await crashAndAsk(port, second.serving);
  assert.equal(afterCrash.text, `new ${second.standby}`, 'the promoted standby serves the new setting');

  // A web.config changes: 5080 again; the standby promoted after the next crash sends the new header.
  const promoted = await servingAndStandby(poolhost, port, [second.serving], (response) => response.headers['x-generation'] === '1');
  assert.equal(promoted.serving, second.standby);
  writeFileSync(join(poolhost.root, 'app', 'web.config'), webConfig('2'));
  await poolhost.waitForEvent(5080, 2, 30_000);
  const third = await servingAndStandby(poolhost, port, [promoted.serving], (response) => response.headers['x-generation'] === '2');
  assert.notEqual(third.standby, promoted.standby, 'the standby that loaded the old web.config was replaced');
  const afterSecondCrash = await crashAndAsk(port, third.serving);
  assert.equal(afterSecondCrash.text, `new ${third.standby}`);
  assert.equal(afterSecondCrash.headers['x-generation'], '2', 'the promoted standby serves the new web.config');
  assert.equal(poolhost.events(5080).length, 2, 'one event per recycle of the pool, none for its standby');
});
