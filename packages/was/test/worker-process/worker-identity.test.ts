import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from '@poolhost/common';
import { linuxUserName, parsePasswd, resolveWorkerIdentity } from '../../src/worker-process/worker-identity.js';
import { configWithPools } from '../support/config-fixture.js';

const passwd = 'root:x:0:0:root:/root:/bin/bash\n# comment\nalice:x:1001:1002:Alice:/home/alice:/bin/sh\n';

function quietLogger(warnings: string[]) {
  const destination = new Writable({
    write(chunk, _encoding, done) {
      warnings.push(String((JSON.parse(String(chunk)) as { msg: string }).msg));
      done();
    },
  });
  return createLogger({ service: 'was', destination });
}

const specificUser = configWithPools([{ name: 'AppA', children: '<processModel identityType="SpecificUser" userName="CONTOSO\\alice" password="x" />' }])
  .applicationPools[0]!;

test('passwd entries and Windows-style user names', () => {
  assert.deepEqual(parsePasswd(passwd)[1], { userName: 'alice', uid: 1001, gid: 1002, home: '/home/alice' });
  assert.equal(linuxUserName('CONTOSO\\alice'), 'alice');
  assert.equal(linuxUserName('alice@contoso'), 'alice');
});

test('SpecificUser runs as that user when was is root', () => {
  const identity = resolveWorkerIdentity(specificUser, quietLogger([]), () => passwd, 0);
  assert.deepEqual(identity, { uid: 1001, gid: 1002, userName: 'alice', home: '/home/alice' });
});

test('SpecificUser without root warns and runs as the current user', () => {
  const warnings: string[] = [];
  assert.equal(resolveWorkerIdentity(specificUser, quietLogger(warnings), () => passwd, 1000), undefined);
  assert.match(warnings[0]!, /not running as root/);
});

test('an unknown user is an error naming it', () => {
  assert.throws(() => resolveWorkerIdentity(specificUser, quietLogger([]), () => 'root:x:0:0::/root:/bin/sh\n', 0), /user 'alice'/);
});
