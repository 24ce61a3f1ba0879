import { test } from 'node:test';
import assert from 'node:assert/strict';
import { credentialProblem, parseCredentials, readThreadCredentials } from '../../src/spare-worker/credentials.js';

const status = (uid: string, gid: string, groups: string, cap = '0000000000000000') =>
  `Name:\tnode\nUid:\t${uid}\nGid:\t${gid}\nFDSize:\t64\nGroups:\t${groups}\nCapInh:\t0000000000000000\nCapPrm:\t${cap}\nCapEff:\t${cap}\n`;

test('parseCredentials reads the four uids and gids, the supplementary groups and the capability sets of /proc status', () => {
  assert.deepEqual(parseCredentials(status('1001\t1001\t1001\t1001', '1002\t1002\t1002\t1002', '')), {
    uids: [1001, 1001, 1001, 1001],
    gids: [1002, 1002, 1002, 1002],
    groups: [],
    capEff: 0n,
    capPrm: 0n,
  });
  assert.deepEqual(parseCredentials(status('0\t0\t0\t0', '0\t0\t0\t0', '0 27 ', '000001ffffffffff')).groups, [0, 27]);
  assert.equal(parseCredentials(status('0\t0\t0\t0', '0\t0\t0\t0', '', '000001ffffffffff')).capEff, 0x1ffffffffffn);
});

test('credentialProblem names a saved uid, a gid, a supplementary group or a capability left behind', () => {
  const ok = parseCredentials(status('1001\t1001\t1001\t1001', '1002\t1002\t1002\t1002', ''));
  assert.equal(credentialProblem(ok, 1001, 1002), null);
  assert.match(credentialProblem(parseCredentials(status('1001\t1001\t0\t1001', '1002\t1002\t1002\t1002', '')), 1001, 1002)!, /uids 1001 1001 0 1001/);
  assert.match(credentialProblem(parseCredentials(status('1001\t1001\t1001\t1001', '0\t1002\t1002\t1002', '')), 1001, 1002)!, /gids 0 1002/);
  assert.match(credentialProblem(parseCredentials(status('1001\t1001\t1001\t1001', '1002\t1002\t1002\t1002', '0 27')), 1001, 1002)!, /supplementary groups 0 27/);
  assert.match(credentialProblem(parseCredentials(status('1001\t1001\t1001\t1001', '1002\t1002\t1002\t1002', '', '0000000000000400')), 1001, 1002)!, /capabilities left/);
});

test('readThreadCredentials reads every thread of this process', () => {
  const threads = readThreadCredentials();
  assert.ok(threads.size >= 1);
  assert.ok(threads.has(process.pid), 'the main thread is listed under the process id');
  assert.deepEqual(threads.get(process.pid)!.uids[0], process.getuid!());
});
