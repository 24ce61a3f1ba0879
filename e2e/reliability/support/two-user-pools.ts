// Two SpecificUser pools behind one site, as the identity tests need them: PoolA (/a) and PoolB (/b) run
// as two new Linux users, each application folder belongs to its pool's user alone, and PoolB's folder
// holds private.txt. The users are removed after poolhost has stopped.
import { chmodSync, chownSync } from 'node:fs';
import { join } from 'node:path';
import { startPoolhost, type PoolhostInstance } from '../../support/poolhost-instance.js';
import { applicationHostConfig } from '../../support/config-builder.js';
import { freePort } from '../../support/http.js';
import { probeApp } from './reliability-apps.js';
import { createTestUser, removeTestUser, type TestUser } from './test-users.js';

export interface TwoUserPools {
  poolhost: PoolhostInstance;
  port: number;
  userA: TestUser;
  userB: TestUser;
}

export async function startTwoUserPools(
  options: {
    /** Users are named `<userPrefix>-a` and `<userPrefix>-b`. */
    userPrefix: string;
    /** How PoolB's userName is written (a domain prefix, say); default the plain name. */
    userNameOfB?: (name: string) => string;
    /** Attributes of `<applicationPools>` itself (spareWorkers). */
    applicationPools?: Record<string, string>;
  },
  after: (fn: () => void | Promise<void>) => void,
): Promise<TwoUserPools> {
  const userA = createTestUser(`${options.userPrefix}-a`);
  const userB = createTestUser(`${options.userPrefix}-b`);
  const port = await freePort();
  const poolhost = await startPoolhost(
    {
      config: applicationHostConfig({
        ...(options.applicationPools ? { applicationPools: options.applicationPools } : {}),
        pools: [
          { name: 'PoolA', processModel: { identityType: 'SpecificUser', userName: userA.name }, environmentVariables: { SECRET_A: 'alpha' } },
          { name: 'PoolB', processModel: { identityType: 'SpecificUser', userName: options.userNameOfB?.(userB.name) ?? userB.name }, environmentVariables: { SECRET_B: 'bravo' } },
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
  return { poolhost, port, userA, userB };
}
