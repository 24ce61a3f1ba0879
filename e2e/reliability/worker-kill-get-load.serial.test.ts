import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPoolhost } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort } from '../support/http.js';
import { pidApp } from '../support/apps.js';
import { sleep, waitFor } from '../support/wait.js';
import { getLoad, statusSummary } from './support/load.js';

test('SIGKILL of a web-garden worker under GET load from 12 clients: zero failed requests', async () => {
  const port = await freePort();
  const poolhost = await startPoolhost(
    {
      config: applicationHostConfig({
        pools: [{ name: 'Garden', processModel: { maxProcesses: '3' } }],
        sites: [{ name: 'Garden', id: 1, bindings: [`127.0.0.1:${port}:`], applications: [{ path: '/', pool: 'Garden', physicalPath: '{{root}}/app' }] }],
      }),
      files: { 'app/server.js': pidApp },
      waitForPort: port,
    },
    after,
  );
  // Requests take 30 ms, so each worker always has some in flight when it dies.
  const load = getLoad(port, 12, (client, sequence) => `/get/${client}-${sequence}?delay=30`);
  after(() => load.stop().then(() => undefined));
  await waitFor('a garden of three under load', () => poolhost.workers('Garden').length === 3, 15_000);
  await sleep(500);
  const victim = poolhost.workers('Garden')[0]!.pid;
  const beforeKill = load.completed();
  process.kill(victim, 'SIGKILL');
  await waitFor('the victim to be replaced', () => {
    const pids = poolhost.workers('Garden').map((info) => info.pid);
    return !pids.includes(victim) && pids.length >= 1;
  }, 10_000);
  await sleep(1_500);
  const result = await load.stop();

  assert.ok(result.total - beforeKill > 50, `load kept flowing after the kill (${result.total - beforeKill} requests)`);
  assert.deepEqual(result.failures, [], `failures: ${statusSummary(result)}`);
  const servedByVictim = [...result.successes.values()].filter((text) => text === String(victim)).length;
  assert.ok(servedByVictim > 0, 'the killed worker had been serving');
  assert.equal(poolhost.events(5009).length, 1, 'the crash was recorded once');
  assert.ok(poolhost.workers('Garden').length <= 3, 'never more than maxProcesses');
});
