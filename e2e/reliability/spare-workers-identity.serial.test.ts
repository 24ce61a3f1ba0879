import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { PoolhostInstance } from '../support/poolhost-instance.js';
import { httpRequest } from '../support/http.js';
import { waitFor } from '../support/wait.js';
import { checkoutUnreachableByOthers, isRoot } from './support/test-users.js';
import { startTwoUserPools } from './support/two-user-pools.js';

const json = async (port: number, path: string): Promise<Record<string, unknown>> => JSON.parse((await httpRequest({ port, path })).text);

function bootedSpares(poolhost: PoolhostInstance): number[] {
  return poolhost.logLines.filter((line) => typeof line.msg === 'string' && /^spare worker process \d+ is booted/.test(line.msg)).map((line) => Number(line.workerPid));
}

/** Uid, Gid, Groups and CapEff of every thread of `pid`. */
function threadCredentials(pid: number): Array<{ tid: string; uid: string; gid: string; groups: string; capEff: string }> {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    const status = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
    const field = (name: string) => new RegExp(`^${name}:[ \\t]*(.*)$`, 'm').exec(status)![1]!.trim().replace(/\s+/g, ' ');
    return { tid, uid: field('Uid'), gid: field('Gid'), groups: field('Groups'), capEff: field('CapEff') };
  });
}

test('spare workers for SpecificUser pools: each spare, booted as root, becomes its pool\'s user for good before loading the application (every thread, no groups, no capabilities), and the pools stay isolated', { skip: (!isRoot && 'needs root to create users') || (checkoutUnreachableByOthers() ?? false) }, async () => {
  const { poolhost, port, userA, userB } = await startTwoUserPools({ userPrefix: 'poolhost-e2e-spare', applicationPools: { spareWorkers: '2' } }, after);

  await waitFor('two spares to boot', () => bootedSpares(poolhost).length >= 2, 30_000);
  const spares = bootedSpares(poolhost).slice(0, 2);
  for (const pid of spares) assert.ok(threadCredentials(pid).every((thread) => thread.uid === '0 0 0 0'), `spare ${pid} waits as root`);

  const pidA = Number((await json(port, '/a/')).pid);
  const pidB = Number((await json(port, '/b/')).pid);
  assert.deepEqual([pidA, pidB].sort(), [...spares].sort(), 'both demand starts were answered by processes booted before the requests');
  assert.notEqual(pidA, pidB);

  const whoA = await json(port, '/a/whoami');
  const whoB = await json(port, '/b/whoami');
  assert.deepEqual([whoA.uid, whoA.gid], [userA.uid, userA.gid]);
  assert.deepEqual([whoB.uid, whoB.gid], [userB.uid, userB.gid]);
  for (const [pid, user] of [[pidA, userA], [pidB, userB]] as const) {
    const threads = threadCredentials(pid);
    assert.ok(threads.length > 3, 'Node\'s own threads are there to check');
    for (const thread of threads) {
      assert.deepEqual(thread, { tid: thread.tid, uid: `${user.uid} ${user.uid} ${user.uid} ${user.uid}`, gid: `${user.gid} ${user.gid} ${user.gid} ${user.gid}`, groups: '', capEff: '0000000000000000' }, `thread ${thread.tid} of worker ${pid}`);
    }
  }
  // The kernel marks a process that left uid 0 non-dumpable: its /proc files stay root's (docs/process-model.md).
  assert.equal(statSync(`/proc/${pidA}/environ`).uid, 0);
  // Root cannot be taken back: the application's own attempt fails.
  assert.deepEqual(await json(port, '/a/become-root'), { ok: false, code: 'EPERM' });
  assert.equal(whoA.tmpdir, join(`${poolhost.runDirectory}-temp`, 'apppools', 'PoolA'));

  // The pools stay apart as with cold starts (pool-identity-isolation.serial.test.ts).
  const written = await json(port, '/b/write-temp');
  assert.deepEqual(await json(port, `/a/read?path=${encodeURIComponent(String(written.file))}`), { ok: false, code: 'EACCES' });
  assert.deepEqual(await json(port, `/a/read?path=${encodeURIComponent(join(poolhost.root, 'b', 'private.txt'))}`), { ok: false, code: 'EACCES' });
  assert.deepEqual(await json(port, `/a/list?path=${encodeURIComponent(poolhost.runDirectory)}`), { ok: false, code: 'EACCES' });
  assert.deepEqual(await json(port, '/a/env?name=SECRET_B'), { value: null });
  assert.deepEqual(await json(port, '/b/env?name=SECRET_A'), { value: null });
  assert.deepEqual(await json(port, '/b/env?name=SECRET_B'), { value: 'bravo' });

  // Both taken spares are replaced by new ones, which wait as root again.
  await waitFor('two more spares to boot', () => bootedSpares(poolhost).length >= 4, 30_000);
});
