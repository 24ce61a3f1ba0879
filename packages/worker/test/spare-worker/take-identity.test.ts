import { test } from 'node:test';
import { spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { parseCredentials, type ThreadCredentials } from '../../src/spare-worker/credentials.js';
import { takeIdentity } from '../../src/spare-worker/take-identity.js';

const threadAs = (uid: number, gid: number, groups = ''): ThreadCredentials =>
  parseCredentials(`Uid:\t${uid}\t${uid}\t${uid}\t${uid}\nGid:\t${gid}\t${gid}\t${gid}\t${gid}\nGroups:\t${groups}\nCapPrm:\t0000000000000000\nCapEff:\t0000000000000000\n`);

function fakeProcess() {
  const calls: string[] = [];
  return {
    calls,
    credentials: {
      setgroups: (groups: number[]) => void calls.push(`setgroups(${groups.join(',')})`),
      setgid: (id: number) => void calls.push(`setgid(${id})`),
      setuid: (id: number) => void calls.push(`setuid(${id})`),
    },
  };
}

test('a spare drops to the pool identity as a cold spawn does: groups cleared, then gid, then uid, then every thread checked', () => {
  const { calls, credentials } = fakeProcess();
  const taken = takeIdentity({ uid: 1001, gid: 1002, userName: 'alice' }, credentials, () => new Map([[10, threadAs(1001, 1002)], [11, threadAs(1001, 1002)]]));
  assert.deepEqual(calls, ['setgroups()', 'setgid(1002)', 'setuid(1001)']);
  assert.deepEqual(taken, { uid: 1001, gid: 1002, groups: [] });
});

test('one thread still root, or one group left, fails the assignment naming the thread', () => {
  const { credentials } = fakeProcess();
  assert.throws(
    () => takeIdentity({ uid: 1001, gid: 1002, userName: 'alice' }, credentials, () => new Map([[10, threadAs(1001, 1002)], [12, threadAs(0, 0)]])),
    /thread 12 did not take the pool's identity 1001:1002: uids 0 0 0 0/,
  );
  assert.throws(
    () => takeIdentity({ uid: 1001, gid: 1002, userName: 'alice' }, credentials, () => new Map([[10, threadAs(1001, 1002, '0')]])),
    /supplementary groups 0/,
  );
});

test('a failing setuid stops the assignment before anything is checked or loaded', () => {
  const credentials = { setgroups: () => undefined, setgid: () => undefined, setuid: () => { throw new Error('EPERM, Operation not permitted'); } };
  assert.throws(() => takeIdentity({ uid: 1001, gid: 1002, userName: 'alice' }, credentials, () => { throw new Error('must not be read'); }), /EPERM/);
});

test('for real (root): after takeIdentity every thread of a Node process with a busy thread pool runs as nobody, and root cannot be regained', { skip: process.getuid?.() !== 0 && 'needs root' }, () => {
  const script = `
    import { takeIdentity } from ${JSON.stringify(new URL('../../src/spare-worker/take-identity.ts', import.meta.url).pathname)};
    import { readdirSync, readFileSync } from 'node:fs';
    import { pbkdf2 } from 'node:crypto';
    // Start libuv's thread pool, so there are threads besides V8's.
    await Promise.all([1, 2, 3, 4].map(() => new Promise((resolve) => pbkdf2('x', 'y', 1000, 32, 'sha256', resolve))));
    const taken = takeIdentity({ uid: 65534, gid: 65534, userName: 'nobody' });
    const threads = readdirSync('/proc/self/task').length;
    let regained = 'no';
    try { process.setuid(0); regained = 'yes'; } catch (error) { regained = error.code; }
    console.log(JSON.stringify({ taken, threads, regained, uid: readFileSync('/proc/self/status', 'utf8').match(/^Uid:\\s*(.*)$/m)[1] }));
  `;
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(result.status, 0, result.stderr);
  const report = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as { taken: unknown; threads: number; regained: string; uid: string };
  assert.deepEqual(report.taken, { uid: 65534, gid: 65534, groups: [] });
  assert.ok(report.threads >= 5, `${report.threads} threads were checked`);
  assert.equal(report.regained, 'EPERM');
  assert.equal(report.uid.split(/\s+/).join(' '), '65534 65534 65534 65534');
});
