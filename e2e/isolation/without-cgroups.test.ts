// Without cgroups (POOLHOST_CGROUPS=off stands for a machine without them: not root, no delegation, a
// container without the controllers) pools still run and serve; was says once that no limit is
// enforced, each pool names its own, and appcmd shows them.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPoolhost } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort, httpRequest } from '../support/http.js';
import { pidApp } from '../support/apps.js';
import { appcmd } from '../appcmd/appcmd-process.js';

test('without cgroups a pool with limits serves, and its limits are reported as not enforced', async () => {
  const port = await freePort();
  const poolhost = await startPoolhost(
    {
      config: applicationHostConfig({
        pools: [{ name: 'Limited', attributes: { memoryLimit: '65536', taskLimit: '64' }, cpu: { limit: '20000', action: 'Throttle' } }],
        sites: [{ name: 'Plain', id: 1, bindings: [`127.0.0.1:${port}:`], applications: [{ path: '/', pool: 'Limited', physicalPath: '{{root}}/app' }] }],
      }),
      files: { 'app/server.js': pidApp },
      waitForPort: port,
      env: { POOLHOST_CGROUPS: 'off' },
    },
    after,
  );
  const response = await httpRequest({ port, path: '/' });
  assert.equal(response.status, 200);
  assert.equal(poolhost.logLines.filter((line) => line.msg === 'cgroups are off (POOLHOST_CGROUPS=off): no pool limit is enforced').length, 1);
  assert.ok(poolhost.logLines.some((line) => line.msg === "application pool 'Limited': these limits are not enforced here: cpu action=Throttle, memoryLimit, taskLimit"));
  const detail = (await appcmd(['list', 'apppool', 'Limited', '/text:*'], { env: { POOLHOST_RUN_DIR: poolhost.runDirectory, POOLHOST_CONFIG: poolhost.configFile } })).stdout;
  assert.match(detail, /\[isolation\]\n {4}cgroup:""\n {4}cgroupUnavailable:"cgroups are not used"\n {4}notEnforced:"cpu action=Throttle, memoryLimit, taskLimit"/);
  const workers = (await appcmd(['list', 'wp', '/text:*'], { env: { POOLHOST_RUN_DIR: poolhost.runDirectory } })).stdout;
  assert.match(workers, new RegExp(`WP.NAME: ${response.text}\\n[\\s\\S]*cgroup: \\n`));
});
