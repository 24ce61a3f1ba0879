// taskLimit (poolhost, beyond IIS): a pool's processes and threads together stop at its cgroup's
// pids.max — a fork storm from an application is refused by the kernel past it, logged, counted by
// appcmd — the worker keeps serving, and the pool's stop ends every process its application left.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startPoolhost } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort, httpRequest } from '../support/http.js';
import { waitFor } from '../support/wait.js';
import { cgroupFile, cgroupsAvailable, forkApp, poolIsolation } from './isolation-support.js';

const taskLimit = 48;

test('a fork storm stops at the pool\'s taskLimit; the worker serves on and the stop ends what it forked', { skip: !cgroupsAvailable() && 'needs root and cgroups' }, async () => {
  const port = await freePort();
  const poolhost = await startPoolhost(
    {
      config: applicationHostConfig({
        pools: [{ name: 'Forker', attributes: { taskLimit: String(taskLimit) } }],
        sites: [{ name: 'Pids', id: 1, bindings: [`127.0.0.1:${port}:`], applications: [{ path: '/', pool: 'Forker', physicalPath: '{{root}}/forker' }] }],
      }),
      files: { 'forker/server.js': forkApp },
      waitForPort: port,
    },
    after,
  );
  const pid = (await httpRequest({ port, path: '/pid' })).text;
  const storm = await httpRequest({ port, path: '/fork?count=80' });
  assert.equal(storm.status, 200);
  const { started, refused, pids } = JSON.parse(storm.text) as { started: number; refused: number; pids: number[] };
  assert.ok(refused > 0, `the kernel refused some of the 80 forks (${started} started)`);
  assert.ok(started < taskLimit, `${started} children started beside the worker's own threads, under taskLimit ${taskLimit}`);
  const isolation = await poolIsolation(poolhost.runDirectory, 'Forker');
  assert.ok(isolation.tasks! <= taskLimit, `${isolation.tasks} tasks in the pool's group`);
  assert.equal(readFileSync(cgroupFile(isolation.cgroup, 'pids', 'pids.max'), 'utf8').trim(), String(taskLimit));
  await waitFor('the taskLimit line', () => poolhost.logLines.some((line) => String(line.msg).startsWith(`application pool 'Forker' reached its taskLimit of ${taskLimit}:`)), 10_000);
  assert.ok((await poolIsolation(poolhost.runDirectory, 'Forker')).taskLimitHits > 0);

  assert.equal((await httpRequest({ port, path: '/pid' })).text, pid, 'the same worker serves on');

  const { leftovers } = await poolhost.stop();
  assert.deepEqual(leftovers, []);
  const alive = pids.filter((child) => {
    try {
      process.kill(child, 0);
      return !/\) Z /.test(readFileSync(`/proc/${child}/stat`, 'latin1'));
    } catch {
      return false;
    }
  });
  assert.deepEqual(alive, [], 'the pool\'s stop ended every process its application started');
});
