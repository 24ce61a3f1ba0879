// Configuration isolation (IIS 7+): each pool's workers read their own `<pool>.config` — applicationHost.config
// filtered for the pool, 0600 and owned by the pool's identity — given as `-h` and APP_POOL_CONFIG. A worker
// of pool A running as its SpecificUser cannot read applicationHost.config (0600, as an administrator keeps
// it) nor pool B's file, still serves its applications, and still sees their web.config changes.
// Serial: it creates Linux users, like pool-identity-isolation.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startPoolhost } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort, httpRequest } from '../support/http.js';
import { waitFor } from '../support/wait.js';
import { probeApp } from '../reliability/support/reliability-apps.js';
import { checkoutUnreachableByOthers, createTestUser, isRoot, removeTestUser } from '../reliability/support/test-users.js';

const json = async (port: number, path: string): Promise<Record<string, unknown>> => JSON.parse((await httpRequest({ port, path })).text);

test('a pool\'s worker reads only its own configuration file: not applicationHost.config, not another pool\'s', { skip: (!isRoot && 'needs root to create users') || (checkoutUnreachableByOthers() ?? false) }, async () => {
  const userA = createTestUser('poolhost-e2e-config-a');
  const userB = createTestUser('poolhost-e2e-config-b');
  const port = await freePort();
  const poolhost = await startPoolhost(
    {
      config: applicationHostConfig({
        pools: [
          { name: 'PoolA', processModel: { identityType: 'SpecificUser', userName: userA.name } },
          { name: 'PoolB', processModel: { identityType: 'SpecificUser', userName: userB.name, password: 'pool-b-secret' } },
        ],
        sites: [
          { name: 'SiteA', id: 1, bindings: [`127.0.0.1:${port}:`], applications: [{ path: '/', pool: 'PoolA', physicalPath: '{{root}}/a' }] },
          { name: 'SiteB', id: 2, bindings: [`127.0.0.1:${port}:b.example`], applications: [{ path: '/', pool: 'PoolB', physicalPath: '{{root}}/b' }] },
        ],
      }),
      files: { 'a/server.js': probeApp, 'a/web.config': '<configuration />\n', 'b/server.js': probeApp },
      waitForPort: port,
    },
    after,
  );
  after(() => {
    removeTestUser(userA.name);
    removeTestUser(userB.name);
  });
  // The instance folder is traversable, not listable; applicationHost.config is the administrator's alone.
  chmodSync(poolhost.root, 0o711);
  chmodSync(poolhost.configFile, 0o600);
  for (const [folder, user] of [['a', userA], ['b', userB]] as const) {
    chownSync(join(poolhost.root, folder), user.uid, user.gid);
    chmodSync(join(poolhost.root, folder), 0o700);
  }

  const ownA = String((await json(port, '/env?name=APP_POOL_CONFIG')).value);
  assert.equal(ownA, join(`${poolhost.runDirectory}-temp`, 'apppools', 'PoolA', 'PoolA.config'));
  assert.equal((await json(port, '/env?name=POOLHOST_CONFIG')).value, null, 'the worker is not told where applicationHost.config is');
  const stat = statSync(ownA);
  assert.equal(stat.mode & 0o777, 0o600);
  assert.equal(stat.uid, userA.uid);

  // Its own file holds its pool and its site, nothing of pool B's.
  assert.equal((await json(port, `/read?path=${encodeURIComponent(ownA)}`)).ok, true, 'the worker reads its own file');
  const ownText = readFileSync(ownA, 'utf8');
  assert.match(ownText, /name="PoolA"/);
  assert.doesNotMatch(ownText, /PoolB|SiteB|pool-b-secret/);

  // Neither applicationHost.config nor pool B's file.
  assert.deepEqual(await json(port, `/read?path=${encodeURIComponent(poolhost.configFile)}`), { ok: false, code: 'EACCES' });
  const fileB = String((JSON.parse((await httpRequest({ port, path: '/env?name=APP_POOL_CONFIG', host: 'b.example' })).text) as { value: string }).value);
  assert.equal(fileB, join(`${poolhost.runDirectory}-temp`, 'apppools', 'PoolB', 'PoolB.config'));
  assert.deepEqual(await json(port, `/read?path=${encodeURIComponent(fileB)}`), { ok: false, code: 'EACCES' });

  // A change to its application's web.config still reaches it (a recycle; the new worker reads the new file).
  const before = (await httpRequest({ port, path: '/whoami' })).headers['x-config'];
  assert.equal(before, undefined);
  writeFileSync(join(poolhost.root, 'a', 'web.config'), '<configuration>\n  <system.webServer>\n    <httpProtocol><customHeaders><add name="X-Config" value="changed" /></customHeaders></httpProtocol>\n  </system.webServer>\n</configuration>\n');
  await waitFor('the web.config change served', async () => (await httpRequest({ port, path: '/whoami' })).headers['x-config'] === 'changed', 20_000);
});
