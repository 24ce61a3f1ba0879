import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startPoolhost } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort, httpRequest } from '../support/http.js';
import { probeApp } from './support/reliability-apps.js';
import { checkoutUnreachableByOthers, createTestUser, isRoot, removeTestUser } from './support/test-users.js';

const json = async (port: number, path: string): Promise<Record<string, unknown>> => JSON.parse((await httpRequest({ port, path })).text);

test('SpecificUser pools run as their Linux users: no reading the other pool\'s folder or temp folder, no sharing environment variables', { skip: (!isRoot && 'needs root to create users') || (checkoutUnreachableByOthers() ?? false) }, async () => {
  const userA = createTestUser('poolhost-e2e-pool-a');
  const userB = createTestUser('poolhost-e2e-pool-b');
  const port = await freePort();
  const poolhost = await startPoolhost(
    {
      config: applicationHostConfig({
        pools: [
          { name: 'PoolA', processModel: { identityType: 'SpecificUser', userName: userA.name }, environmentVariables: { SECRET_A: 'alpha' } },
          { name: 'PoolB', processModel: { identityType: 'SpecificUser', userName: `CONTOSO\\${userB.name}` }, environmentVariables: { SECRET_B: 'bravo' } },
        ],
        sites: [
          {
            name: 'Site',
            id: 1,
            bindings: [`127.0.0.1:${port}:`],
            applications: [
              { path: '/a', pool: 'PoolA', physicalPath: '{{root}}/a' },
              { path: '/b', pool: 'PoolB', physicalPath: '{{root}}/b' },
            ],
          },
        ],
      }),
      files: { 'a/server.js': probeApp, 'b/server.js': probeApp, 'b/private.txt': 'only pool B may read this' },
      waitForPort: port,
    },
    after,
  );
  // Registered after startPoolhost's hook, so the users are removed once their workers are gone.
  after(() => {
    removeTestUser(userA.name);
    removeTestUser(userB.name);
  });
  // The instance folder must be traversable for the pools' users (the config is read by the workers);
  // each application folder belongs to its pool alone.
  chmodSync(poolhost.root, 0o755);
  for (const [folder, user] of [['a', userA], ['b', userB]] as const) {
    const path = join(poolhost.root, folder);
    chownSync(path, user.uid, user.gid);
    chownSync(join(path, 'server.js'), user.uid, user.gid);
    chmodSync(path, 0o700);
  }
  chownSync(join(poolhost.root, 'b', 'private.txt'), userB.uid, userB.gid);

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
