import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startPoolhost, type PoolhostInstance } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort, httpRequest } from '../support/http.js';
import { waitFor } from '../support/wait.js';
import { recycle } from '../recycling/recycling-support.js';

/** Answers what its worker is: pid, pool, a pool variable, its temp folder, its arguments. */
const whoApp = `
const os = require('node:os');
module.exports = (req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ pid: process.pid, pool: process.env.APP_POOL_ID, secretA: process.env.SECRET_A ?? null, secretB: process.env.SECRET_B ?? null, spare: process.env.POOLHOST_SPARE ?? null, tmpdir: os.tmpdir(), argv: process.argv.slice(2) }));
};
`;

/** The spares was reported booted, in order (was's log). */
function bootedSpares(poolhost: PoolhostInstance): number[] {
  return poolhost.logLines.filter((line) => typeof line.msg === 'string' && /^spare worker process \d+ is booted/.test(line.msg)).map((line) => Number(line.workerPid));
}

const titleOf = (pid: number): string => readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0')[0]!.trim();

test('spareWorkers: a demand start is answered by a spare that was booted before the request, each pool gets its own spare with its own environment, and every taken spare is replaced', async () => {
  const port = await freePort();
  const poolhost = await startPoolhost(
    {
      config: applicationHostConfig({
        applicationPools: { spareWorkers: '1' },
        pools: [
          { name: 'PoolA', environmentVariables: { SECRET_A: 'alpha' } },
          { name: 'PoolB', environmentVariables: { SECRET_B: 'bravo' } },
        ],
        sites: [
          {
            name: 'Site',
            id: 1,
            bindings: [`127.0.0.1:${port}:`],
            applications: [
              { path: '/', pool: 'PoolA', physicalPath: '{{root}}/a' },
              { path: '/b', pool: 'PoolB', physicalPath: '{{root}}/b' },
            ],
          },
        ],
      }),
      files: { 'a/server.js': whoApp, 'b/server.js': whoApp },
      waitForPort: port,
    },
    after,
  );
  const ask = async (path: string) => {
    const response = await httpRequest({ port, path });
    assert.equal(response.status, 200, response.text);
    return JSON.parse(response.text) as { pid: number; pool: string; secretA: string | null; secretB: string | null; spare: string | null; tmpdir: string; argv: string[] };
  };

  await waitFor('the first spare to boot', () => bootedSpares(poolhost).length >= 1, 30_000);
  const [firstSpare] = bootedSpares(poolhost);
  assert.equal(titleOf(firstSpare!), 'poolhost: w3wp (spare)');
  assert.equal(poolhost.workers('PoolA').length, 0, 'no worker of any pool before the first request');
  const status = await poolhost.cli('status');
  assert.match(status.stdout, new RegExp(`^spare worker processes: ${firstSpare}$`, 'm'));
  assert.match(status.stdout, /^no worker processes$/m);

  // Demand start of PoolA: answered by the process that was the spare before the request.
  const a = await ask('/');
  assert.equal(a.pid, firstSpare);
  assert.equal(a.pool, 'PoolA');
  assert.equal(a.secretA, 'alpha');
  assert.equal(a.secretB, null);
  assert.equal(a.spare, null, 'the spare marker is gone from the environment');
  assert.equal(a.tmpdir, join(`${poolhost.runDirectory}-temp`, 'apppools', 'PoolA'));
  assert.deepEqual(a.argv.slice(0, 2), ['-ap', 'PoolA'], 'the arguments a cold start would have had');
  assert.equal(titleOf(a.pid), 'poolhost: w3wp PoolA');
  // was logs it before the worker is ready; through two pipes it may reach the log after the answer.
  await waitFor('was to log the assignment', () => poolhost.logLines.some((line) => line.msg === `spare worker process ${firstSpare} assigned to application pool 'PoolA'`), 10_000);

  // The taken spare is replaced; PoolB's demand start takes the new one, never PoolA's process.
  await waitFor('a second spare to boot', () => bootedSpares(poolhost).length >= 2, 30_000);
  const secondSpare = bootedSpares(poolhost)[1]!;
  assert.notEqual(secondSpare, firstSpare);
  const b = await ask('/b/');
  assert.equal(b.pid, secondSpare);
  assert.equal(b.pool, 'PoolB');
  assert.equal(b.secretB, 'bravo');
  assert.equal(b.secretA, null, 'nothing of PoolA reached PoolB');

  // A crashed worker's replacement takes a spare too.
  await waitFor('a third spare to boot', () => bootedSpares(poolhost).length >= 3, 30_000);
  const thirdSpare = bootedSpares(poolhost)[2]!;
  process.kill(a.pid, 'SIGKILL');
  await poolhost.waitForEvent(5009);
  const replaced = await ask('/');
  assert.equal(replaced.pid, thirdSpare);
  assert.equal(replaced.pool, 'PoolA');

  // Each process served one pool only: every pid answered for one pool name.
  assert.equal((await ask('/b/')).pid, secondSpare);
  await waitFor('was to log three assignments', () => poolhost.logLines.filter((line) => typeof line.msg === 'string' && line.msg.includes(' assigned to application pool ') && line.msg.startsWith('spare worker process ')).length >= 3, 10_000);
  const assignments = poolhost.logLines.filter((line) => typeof line.msg === 'string' && line.msg.startsWith('spare worker process ') && line.msg.includes(' assigned to application pool '));
  const pids = assignments.map((line) => Number(line.workerPid));
  assert.deepEqual(pids, [firstSpare, secondSpare, thirdSpare]);
  assert.equal(new Set(pids).size, pids.length, 'no spare was assigned twice');
  await waitFor('the fourth spare to boot', () => bootedSpares(poolhost).length >= 4, 30_000);

  // An overlapped recycle's replacement is a spare too; the recycled worker is not reused.
  const fourthSpare = bootedSpares(poolhost)[3]!;
  await recycle(poolhost, 'PoolB');
  await waitFor('PoolB to be served by the fourth spare', async () => (await ask('/b/')).pid === fourthSpare, 30_000, 100);
  await waitFor('the recycled worker to exit', () => !poolhost.processes().some((info) => info.pid === secondSpare), 30_000);
  assert.equal((await ask('/b/')).secretA, null);
});
