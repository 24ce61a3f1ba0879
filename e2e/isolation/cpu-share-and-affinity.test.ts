// <cpu action="ThrottleUnderLoad"> becomes the pool cgroup's weight (cpu.shares on v1, cpu.weight on v2),
// smpAffinitized + smpProcessorAffinityMask its cpuset, and a change is applied in place: the same worker
// keeps running under the new values.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startPoolhost } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort, httpRequest } from '../support/http.js';
import { pidApp } from '../support/apps.js';
import { waitFor } from '../support/wait.js';
import { appcmd } from '../appcmd/appcmd-process.js';
import { cgroupFile, cgroupsAvailable, poolIsolation } from './isolation-support.js';

const allowedCpus = (pid: number) => /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];

test('ThrottleUnderLoad is a CPU weight, the affinity mask a cpuset, and both change in place', { skip: !cgroupsAvailable() && 'needs root and cgroups' }, async () => {
  const port = await freePort();
  const poolhost = await startPoolhost(
    {
      config: applicationHostConfig({
        pools: [{ name: 'Shared', cpu: { limit: '20000', action: 'ThrottleUnderLoad', smpAffinitized: 'true', smpProcessorAffinityMask: '1' } }],
        sites: [{ name: 'Weights', id: 1, bindings: [`127.0.0.1:${port}:`], applications: [{ path: '/', pool: 'Shared', physicalPath: '{{root}}/app' }] }],
      }),
      files: { 'app/server.js': pidApp },
      waitForPort: port,
    },
    after,
  );
  const pid = Number((await httpRequest({ port, path: '/' })).text);
  const { cgroup } = await poolIsolation(poolhost.runDirectory, 'Shared');
  const v2 = cgroupFile(cgroup, 'cpu', 'cpu.weight').startsWith(cgroup);
  const weightFile = v2 ? cgroupFile(cgroup, 'cpu', 'cpu.weight') : cgroupFile(cgroup, 'cpu', 'cpu.shares');
  // 20 % against one busy neighbour at the default weight: 25 against 100 (v1: 256 against 1024).
  assert.equal(readFileSync(weightFile, 'utf8').trim(), v2 ? '25' : '256');
  assert.equal(allowedCpus(pid), '0');

  const env = { POOLHOST_RUN_DIR: poolhost.runDirectory, POOLHOST_CONFIG: poolhost.configFile };
  const set = await appcmd(['set', 'apppool', 'Shared', '/cpu.limit:50000', '/cpu.smpAffinitized:false'], { env });
  assert.equal(set.code, 0, set.stderr);
  await waitFor('the new weight', () => readFileSync(weightFile, 'utf8').trim() === (v2 ? '100' : '1024'), 10_000);
  await waitFor('every CPU again', () => allowedCpus(pid) !== '0', 10_000);
  assert.equal((await httpRequest({ port, path: '/' })).text, String(pid), 'the same worker serves: no recycle');
});
