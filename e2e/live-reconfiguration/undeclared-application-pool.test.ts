// An application whose applicationPool is not declared: IIS keeps the file, WAS ignores that one
// application (5048) and serves everything else. poolhost answers its URLs 503 and `appcmd list app`
// shows it — at start, and when a live edit adds such an application; declaring the pool serves it.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPoolhost } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort, httpRequest } from '../support/http.js';
import { pidApp } from '../support/apps.js';
import { serviceUnavailableBody } from '../support/iis-bodies.js';
import { waitFor } from '../support/wait.js';
import { appcmd } from '../appcmd/appcmd-process.js';

test('an application with an undeclared pool is ignored with 5048 and answers 503; the rest is served, at start and on live edits', async () => {
  const port = await freePort();
  const poolhost = await startPoolhost(
    {
      config: applicationHostConfig({
        pools: [{ name: 'Served' }],
        sites: [
          {
            name: 'Site',
            id: 1,
            bindings: [`127.0.0.1:${port}:`],
            applications: [
              { path: '/', pool: 'Served', physicalPath: '{{root}}/app' },
              { path: '/orphan', pool: 'Missing', physicalPath: '{{root}}/app' },
            ],
          },
        ],
      }),
      files: { 'app/server.js': pidApp },
      waitForPort: port,
    },
    after,
  );
  const run = (...args: string[]) => appcmd(args, { env: { POOLHOST_RUN_DIR: poolhost.runDirectory } });

  const [ignored] = await poolhost.waitForEvent(5048);
  assert.equal(ignored!.msg, "The application '/orphan' belonging to site '1' has an invalid AppPoolId 'Missing' set.  Therefore, the application will be ignored.");
  assert.equal((await httpRequest({ port, path: '/' })).status, 200, 'the rest of the file is served');
  const orphan = await httpRequest({ port, path: '/orphan/page' });
  assert.equal(orphan.status, 503);
  assert.equal(orphan.text, serviceUnavailableBody);
  assert.equal((await run('list', 'apps')).stdout, 'APP "Site/" (applicationPool:Served)\nAPP "Site/orphan" (applicationPool:Missing)\n');

  // A live edit adds another such application: its own 5048, the file is applied, the rest keeps serving.
  const added = await run('add', 'app', '/site.name:Site', '/path:/late', `/physicalPath:${poolhost.root}/app`, '/applicationPool:Nowhere');
  assert.deepEqual([added.code, added.stdout], [0, 'APP object "Site/late" added\nVDIR object "Site/late/" added\n']);
  const [, late] = await poolhost.waitForEvent(5048, 2);
  assert.equal(late!.msg, "The application '/late' belonging to site '1' has an invalid AppPoolId 'Nowhere' set.  Therefore, the application will be ignored.");
  await waitFor('/late to answer 503', async () => (await httpRequest({ port, path: '/late/' })).status === 503);
  assert.equal((await httpRequest({ port, path: '/' })).status, 200);
  assert.equal(poolhost.events(5048).length, 2, 'an application already ignored is not reported again');

  // Declaring the pool serves the application.
  assert.equal((await run('add', 'apppool', '/name:Missing')).code, 0);
  await waitFor('/orphan to be served', async () => (await httpRequest({ port, path: '/orphan/page' })).status === 200, 15_000);
});
