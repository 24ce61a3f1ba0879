// memoryLimit (poolhost, beyond IIS): a pool that allocates without end is killed inside its own
// cgroup — its own exit reason and event 5301, counted by rapid-fail protection — while another pool
// and the services keep serving; the services' OOM score is below every worker's.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPoolhost } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort, httpRequest } from '../support/http.js';
import { memoryApp, pidApp } from '../support/apps.js';
import { appcmd } from '../appcmd/appcmd-process.js';
import { cgroupsAvailable, oomScoreAdj, poolIsolation } from './isolation-support.js';

test('a runaway allocator is killed at its pool\'s memoryLimit with its own reason while the other pool and the services keep serving', { skip: !cgroupsAvailable() && 'needs root and cgroups' }, async () => {
  const port = await freePort();
  const poolhost = await startPoolhost(
    {
      config: applicationHostConfig({
        pools: [{ name: 'Hog', attributes: { memoryLimit: String(160 * 1024) } }, { name: 'Calm' }],
        sites: [
          {
            name: 'Memory',
            id: 1,
            bindings: [`127.0.0.1:${port}:`],
            applications: [
              { path: '/', pool: 'Calm', physicalPath: '{{root}}/calm' },
              { path: '/hog', pool: 'Hog', physicalPath: '{{root}}/hog' },
            ],
          },
        ],
      }),
      files: { 'hog/server.js': memoryApp, 'calm/server.js': pidApp },
      waitForPort: port,
    },
    after,
  );
  const services = poolhost.processes().filter((info) => info.role !== 'w3wp').map((info) => info.pid);
  const calm = await httpRequest({ port, path: '/calm' });
  const hog = await httpRequest({ port, path: '/hog/x' });
  assert.equal(hog.status, 200);
  const hogPid = Number(hog.text);
  // -500 where poolhost may lower a score (CAP_SYS_RESOURCE); 0, still below every worker, where it may not.
  for (const info of poolhost.processes().filter((candidate) => candidate.role !== 'w3wp')) assert.ok(oomScoreAdj(info.pid) <= 0, `${info.role} (${info.pid}) is the OOM killer's last choice`);
  assert.equal(oomScoreAdj(hogPid), 500);
  assert.equal(oomScoreAdj(Number(calm.text)), 500);

  // 32 MB at a time, until the kernel ends the worker at 160 MB.
  let killed = false;
  for (let step = 0; step < 20 && !killed; step++) {
    const response = await httpRequest({ port, path: '/hog/allocate?mb=32' });
    killed = response.status !== 200 || response.text !== String(hogPid);
  }
  assert.ok(killed, 'the allocating worker was stopped at its limit');
  const [event] = await poolhost.waitForEvent(5301);
  assert.equal(event!.msg, `A process serving application pool 'Hog' was killed because the application pool reached its memory limit of 163840 KB. The process id was '${hogPid}'.`);
  assert.deepEqual(poolhost.events(5009), [], 'an OOM kill is reported as itself, not as a crash');

  // The neighbour and every service are untouched.
  assert.equal((await httpRequest({ port, path: '/calm' })).text, calm.text);
  for (const pid of services) assert.ok(poolhost.processes().some((info) => info.pid === pid), `service ${pid} still runs`);
  const isolation = await poolIsolation(poolhost.runDirectory, 'Hog');
  assert.equal(isolation.oomKills, 1);
  const detail = (await appcmd(['list', 'apppool', 'Hog', '/text:*'], { env: { POOLHOST_RUN_DIR: poolhost.runDirectory, POOLHOST_CONFIG: poolhost.configFile } })).stdout;
  assert.match(detail, /reason:"killed at the application pool's memory limit \(163840 KB\)"/);
  assert.match(detail, /oomKills:"1"/);
  assert.match(detail, /memoryLimit:"163840"/);
  const counters = await appcmd(['list', 'apppool', 'Hog', '/xml'], { env: { POOLHOST_RUN_DIR: poolhost.runDirectory, POOLHOST_CONFIG: poolhost.configFile } });
  assert.equal(counters.code, 0);

  // The pool serves again, from a new worker.
  const again = await httpRequest({ port, path: '/hog/again' });
  assert.equal(again.status, 200);
  assert.notEqual(again.text, String(hogPid));
});
