import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { httpRequest } from '../support/http.js';
import { checkoutUnreachableByOthers, isRoot } from './support/test-users.js';
import { startTwoUserPools } from './support/two-user-pools.js';

const json = async (port: number, path: string): Promise<Record<string, unknown>> => JSON.parse((await httpRequest({ port, path })).text);

test('SpecificUser pools run as their Linux users: no reading the other pool\'s folder or temp folder, no sharing environment variables', { skip: (!isRoot && 'needs root to create users') || (checkoutUnreachableByOthers() ?? false) }, async () => {
  const { poolhost, port, userA, userB } = await startTwoUserPools({ userPrefix: 'poolhost-e2e-pool', userNameOfB: (name) => `CONTOSO\\${name}` }, after);

  const whoA = await json(port, '/a/whoami');
  const whoB = await json(port, '/b/whoami');
  assert.equal(whoA.uid, userA.uid);
  assert.equal(whoB.uid, userB.uid);
  assert.equal(whoA.tmpdir, join(`${poolhost.runDirectory}-temp`, 'apppools', 'PoolA'));
  assert.equal(whoA.osTmpdir, whoA.tmpdir, 'os.tmpdir() is the pool\'s folder');
  const tempB = String(whoB.tmpdir);
  assert.equal(statSync(tempB).mode & 0o777, 0o700);
  assert.equal(statSync(tempB).uid, userB.uid);

  // Pool B writes a file into its temp folder; pool A can neither read it nor list the folder.
  const written = await json(port, '/b/write-temp');
  assert.deepEqual(await json(port, `/a/read?path=${encodeURIComponent(String(written.file))}`), { ok: false, code: 'EACCES' });
  assert.deepEqual(await json(port, `/a/list?path=${encodeURIComponent(tempB)}`), { ok: false, code: 'EACCES' });
  assert.deepEqual(await json(port, `/a/list?path=${encodeURIComponent(join(`${poolhost.runDirectory}-temp`, 'apppools'))}`), { ok: false, code: 'EACCES' });
  // Nor B's application folder; B itself can.
  const privateFile = join(poolhost.root, 'b', 'private.txt');
  assert.deepEqual(await json(port, `/a/read?path=${encodeURIComponent(privateFile)}`), { ok: false, code: 'EACCES' });
  assert.equal((await json(port, `/b/read?path=${encodeURIComponent(privateFile)}`)).ok, true);
  // Nor the run directory with the control sockets.
  assert.deepEqual(await json(port, `/a/list?path=${encodeURIComponent(poolhost.runDirectory)}`), { ok: false, code: 'EACCES' });

  // Environment variables stay with their pool.
  assert.deepEqual(await json(port, '/a/env?name=SECRET_A'), { value: 'alpha' });
  assert.deepEqual(await json(port, '/a/env?name=SECRET_B'), { value: null });
  assert.deepEqual(await json(port, '/b/env?name=SECRET_A'), { value: null });
  assert.deepEqual(await json(port, '/b/env?name=SECRET_B'), { value: 'bravo' });
});
