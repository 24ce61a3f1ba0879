// appcmd talking to a running server reads and edits the file that server serves (found through the run
// directory), unless /apphostconfig: or POOLHOST_CONFIG names another; never ./applicationHost.config
// beside that server's runtime state.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPoolhost } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort } from '../support/http.js';
import { pidApp } from '../support/apps.js';
import { waitFor } from '../support/wait.js';
import { appcmd } from './appcmd-process.js';

test('appcmd with only the run directory edits the configuration the running server serves', async () => {
  const port = await freePort();
  const poolhost = await startPoolhost(
    {
      config: applicationHostConfig({
        pools: [{ name: 'ServedPool' }],
        sites: [{ name: 'Served', id: 1, bindings: [`127.0.0.1:${port}:`], applications: [{ path: '/', pool: 'ServedPool', physicalPath: '{{root}}/app' }] }],
      }),
      files: { 'app/server.js': pidApp },
      waitForPort: port,
    },
    after,
  );
  // Another applicationHost.config in the folder appcmd runs from, with other pools.
  const elsewhere = mkdtempSync(join(tmpdir(), 'appcmd-cwd-'));
  after(() => rmSync(elsewhere, { recursive: true, force: true }));
  const otherFile = join(elsewhere, 'applicationHost.config');
  const otherText = applicationHostConfig({ pools: [{ name: 'OtherPool' }], sites: [] });
  writeFileSync(otherFile, otherText);
  const run = (args: string[], env: Record<string, string> = {}) => appcmd(args, { cwd: elsewhere, env: { POOLHOST_RUN_DIR: poolhost.runDirectory, ...env } });

  assert.equal((await run(['list', 'apppools'])).stdout, 'APPPOOL "ServedPool" (MgdVersion:,MgdMode:Integrated,state:Started)\n');
  const added = await run(['add', 'apppool', '/name:AddedLive']);
  assert.deepEqual([added.code, added.stdout], [0, 'APPPOOL object "AddedLive" added\n']);
  assert.match(readFileSync(poolhost.configFile, 'utf8'), /<add name="AddedLive"/, 'the served file was edited');
  assert.equal(readFileSync(otherFile, 'utf8'), otherText, 'the file in the working folder was not');
  // The server picked the edit up: the new pool is running.
  // A configuration reload, probed by appcmd runs (Node CLI starts: seconds each on a loaded 2-core machine).
  await waitFor('the added pool to start', async () => (await run(['list', 'apppool', 'AddedLive'])).stdout.includes('state:Started'), 30_000);

  // An explicit file still wins, by parameter or by POOLHOST_CONFIG.
  assert.equal((await run(['list', 'apppools', `/apphostconfig:${otherFile}`])).stdout, 'APPPOOL "OtherPool" (MgdVersion:,MgdMode:Integrated,state:Unknown)\n');
  assert.equal((await run(['list', 'apppools'], { POOLHOST_CONFIG: otherFile })).stdout, 'APPPOOL "OtherPool" (MgdVersion:,MgdMode:Integrated,state:Unknown)\n');
});

test('appcmd with no server running uses ./applicationHost.config', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'appcmd-cwd-'));
  after(() => rmSync(folder, { recursive: true, force: true }));
  writeFileSync(join(folder, 'applicationHost.config'), applicationHostConfig({ pools: [{ name: 'LocalPool' }], sites: [] }));
  const result = await appcmd(['list', 'apppools'], { cwd: folder, env: { POOLHOST_RUN_DIR: join(folder, 'no-server') } });
  assert.deepEqual([result.code, result.stdout], [0, 'APPPOOL "LocalPool" (MgdVersion:,MgdMode:Integrated,state:Unknown)\n']);
});
