import { test } from 'node:test';
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
