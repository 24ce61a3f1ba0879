import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPoolhost, type PoolhostInstance } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort, httpRequest } from '../support/http.js';
import { pidApp } from '../support/apps.js';
import { waitFor } from '../support/wait.js';
import { orphanedWorkers, servicePid } from './support/orphans.js';

function bootedSpares(poolhost: PoolhostInstance): number[] {
  return poolhost.logLines.filter((line) => typeof line.msg === 'string' && /^spare worker process \d+ is booted/.test(line.msg)).map((line) => Number(line.workerPid));
}

test('SIGKILL of was: its waiting spares exit with it (no orphan), and the restarted was boots new ones that serve', async () => {
  const port = await freePort();
  const poolhost = await startPoolhost(
    {
      config: applicationHostConfig({
        applicationPools: { spareWorkers: '2' },
        pools: [{ name: 'A' }],
        sites: [{ name: 'Site', id: 1, bindings: [`127.0.0.1:${port}:`], applications: [{ path: '/', pool: 'A', physicalPath: '{{root}}/app' }] }],
      }),
      files: { 'app/server.js': pidApp },
      waitForPort: port,
    },
    after,
  );
  await waitFor('two spares to boot', () => bootedSpares(poolhost).length >= 2, 30_000);
  const oldSpares = bootedSpares(poolhost).slice(0, 2);
  const oldWas = servicePid(poolhost, 'was')!;
  process.kill(oldWas, 'SIGKILL');
  await waitFor('the old spares to exit with their was', () => !poolhost.processes().some((info) => oldSpares.includes(info.pid)), 10_000);
  await waitFor('a new was with two new spares', () => bootedSpares(poolhost).length >= 4, 30_000);
  assert.notEqual(servicePid(poolhost, 'was'), oldWas);
  const newSpares = bootedSpares(poolhost).slice(2, 4);
  const answer = await httpRequest({ port, path: '/' });
  assert.equal(answer.status, 200);
  assert.ok(newSpares.includes(Number(answer.text)), `the demand start was served by a spare of the new was (${answer.text} in ${newSpares.join(', ')})`);
  assert.deepEqual(orphanedWorkers(poolhost), []);
});
