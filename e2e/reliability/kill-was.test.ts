import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPoolhost } from '../support/poolhost-instance.js';
import { poolsBehindOneSite } from '../support/config-builder.js';
import { freePort, httpRequest } from '../support/http.js';
import { pidApp } from '../support/apps.js';
import { waitFor } from '../support/wait.js';
import { getLoad } from './support/load.js';
import { orphanedWorkers, servicePid } from './support/orphans.js';

test('SIGKILL of was: its workers finish what they have and exit, poolhost restarts was, requests queued meanwhile are served by new workers', async () => {
  const port = await freePort();
  const poolhost = await startPoolhost(
    {
      config: poolsBehindOneSite(port, [{ name: 'A', processModel: { maxProcesses: '2' } }, { name: 'B' }], { '/': 'A', '/b': 'B' }),
      files: { 'app/server.js': pidApp },
      waitForPort: port,
    },
    after,
  );
  const load = getLoad(port, 6, (client, sequence) => (client % 2 ? `/b/${client}-${sequence}?delay=20` : `/a/${client}-${sequence}?delay=20`));
  after(() => load.stop().then(() => undefined));
  await waitFor('workers of both pools', () => poolhost.workers('A').length >= 1 && poolhost.workers('B').length === 1, 10_000);
  await waitFor('load to flow', () => load.completed() > 20, 10_000);
  const oldWas = servicePid(poolhost, 'was')!;
  const oldWorkers = poolhost.workers().map((info) => info.pid);
  process.kill(oldWas, 'SIGKILL');

  // The old workers lose their IPC channel and exit by themselves; none outlives its was.
  await waitFor('the old workers to exit', () => !poolhost.workers().some((info) => oldWorkers.includes(info.pid)), 10_000);
  // A new was, then its workers: Node process starts, seconds each on a loaded 2-core machine.
  await waitFor('a new was', () => (servicePid(poolhost, 'was') ?? oldWas) !== oldWas, 30_000);
  await waitFor('new workers for both pools', () => poolhost.workers('A').length >= 1 && poolhost.workers('B').length === 1, 30_000);
  const servedAfter = load.completed();
  await waitFor('load to flow again', () => load.completed() > servedAfter + 50, 10_000);
  const result = await load.stop();

  // GETs in flight on the old workers were finished by them (they drain) or retried; queued ones waited.
  assert.deepEqual(result.failures, [], JSON.stringify(result.failures.slice(0, 5)));
  assert.deepEqual(orphanedWorkers(poolhost), []);
  assert.ok(poolhost.workers().every((info) => !oldWorkers.includes(info.pid)), 'workers were replaced, not adopted');
  assert.equal((await httpRequest({ port, path: '/b/' })).status, 200);
});
