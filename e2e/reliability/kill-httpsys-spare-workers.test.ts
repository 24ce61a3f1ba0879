import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPoolhost, type PoolhostInstance } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort, httpRequest } from '../support/http.js';
import { pidApp } from '../support/apps.js';
import { waitFor } from '../support/wait.js';
import { servicePid } from './support/orphans.js';

function bootedSpares(poolhost: PoolhostInstance): number[] {
  return poolhost.logLines.filter((line) => typeof line.msg === 'string' && /^spare worker process \d+ is booted/.test(line.msg)).map((line) => Number(line.workerPid));
}

test('SIGKILL of httpsys: a waiting spare loses its data connection and ends (75), a new spare boots against the new httpsys and answers the next demand start; no pool is charged', async () => {
  const port = await freePort();
  const poolhost = await startPoolhost(
    {
      config: applicationHostConfig({
        applicationPools: { spareWorkers: '1' },
        pools: [{ name: 'A', failure: { rapidFailProtectionMaxCrashes: '1' } }],
        sites: [{ name: 'Site', id: 1, bindings: [`127.0.0.1:${port}:`], applications: [{ path: '/', pool: 'A', physicalPath: '{{root}}/app' }] }],
      }),
      files: { 'app/server.js': pidApp },
      waitForPort: port,
    },
    after,
  );
  await waitFor('the spare to boot', () => bootedSpares(poolhost).length >= 1, 30_000);
  const oldSpare = bootedSpares(poolhost)[0]!;
  process.kill(servicePid(poolhost, 'httpsys')!, 'SIGKILL');
  await waitFor('the old spare to end', () => !poolhost.processes().some((info) => info.pid === oldSpare), 10_000);
  // was's line reaches poolhost's log a moment after the process is gone.
  const ended = `spare worker process ${oldSpare} ended while waiting (exit code 75); starting another`;
  await waitFor(`was to log "${ended}"`, () => poolhost.logLines.some((line) => line.msg === ended), 10_000);
  await waitFor('a new spare to boot', () => bootedSpares(poolhost).length >= 2, 30_000);
  const newSpare = bootedSpares(poolhost)[1]!;
  const answer = await httpRequest({ port, path: '/' });
  assert.equal(answer.status, 200);
  assert.equal(Number(answer.text), newSpare, 'the demand start took the spare connected to the new httpsys');
  assert.equal(poolhost.events(5002).length, 0, 'a spare that ended is no failure of any pool');
});
