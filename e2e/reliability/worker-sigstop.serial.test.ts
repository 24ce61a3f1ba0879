import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPoolhost } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort } from '../support/http.js';
import { pidApp } from '../support/apps.js';
import { sleep, waitFor } from '../support/wait.js';
import { getLoad, statusSummary } from './support/load.js';

test('a SIGSTOPped garden worker is killed by pings within pingInterval + pingResponseTime and replaced; the others keep serving', async () => {
  const port = await freePort();
  const poolhost = await startPoolhost(
    {
      config: applicationHostConfig({
        pools: [{ name: 'Garden', processModel: { maxProcesses: '3', pingInterval: '00:00:01', pingResponseTime: '00:00:01' } }],
        sites: [{ name: 'Garden', id: 1, bindings: [`127.0.0.1:${port}:`], applications: [{ path: '/', pool: 'Garden', physicalPath: '{{root}}/app' }] }],
      }),
      files: { 'app/server.js': pidApp },
      waitForPort: port,
    },
    after,
  );
  const load = getLoad(port, 9, (client, sequence) => `/get/${client}-${sequence}?delay=20`);
  after(() => load.stop().then(() => undefined));
  await waitFor('a garden of three under load', () => poolhost.workers('Garden').length === 3, 15_000);
  await sleep(300);
  const frozen = poolhost.workers('Garden')[0]!.pid;
  process.kill(frozen, 'SIGSTOP');
  const stoppedAt = Date.now();
  const servedBefore = load.completed();
  const [event] = await poolhost.waitForEvent(5010, 1, 10_000);
  const detectedAfter = Date.now() - stoppedAt;
  const servedMeanwhile = load.completed() - servedBefore;
  await waitFor('the frozen worker to be gone and replaced', () => {
    const pids = poolhost.workers('Garden').map((info) => info.pid);
    return !pids.includes(frozen) && pids.length >= 2;
  }, 10_000);
  await sleep(500);
  const result = await load.stop();

  assert.match(String(event!.msg), new RegExp(`process id was '${frozen}'`));
  // pingInterval + pingResponseTime = 2 s; a ping can start up to one interval after the stop; the rest is
  // a margin for a loaded machine. IIS's defaults (90 s + 90 s) would not fit in it.
  assert.ok(detectedAfter <= 3_000 + 4_000, `detected after ${detectedAfter} ms`);
  assert.ok(servedMeanwhile > 0, `the other workers kept serving while it was frozen (${servedMeanwhile})`);
  // Its in-flight GETs were retried on the others once it was killed: nothing failed, nothing hung.
  assert.deepEqual(result.failures, [], statusSummary(result));
});
