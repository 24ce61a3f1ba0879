// `appcmd add site` with a physicalPath on a configuration that declares no DefaultAppPool: the new
// root application takes applicationDefaults' DefaultAppPool, which IIS accepts (WAS ignores that
// application until the pool exists). appcmd prints IIS's three lines and exits 0.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applicationHostConfig } from '../support/config-builder.js';
import { appcmd } from './appcmd-process.js';

test('add site on a configuration without DefaultAppPool prints SITE, APP and VDIR added and exits 0', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'appcmd-no-default-pool-'));
  after(() => rmSync(folder, { recursive: true, force: true }));
  const file = join(folder, 'applicationHost.config');
  writeFileSync(file, applicationHostConfig({ pools: [{ name: 'OnlyPool' }], sites: [] }));
  const env = { POOLHOST_CONFIG: file, POOLHOST_RUN_DIR: join(folder, 'no-server') };
  const added = await appcmd(['add', 'site', '/name:X', '/bindings:http/*:8123:', `/physicalPath:${folder}`], { env });
  assert.deepEqual([added.code, added.stdout, added.stderr], [0, 'SITE object "X" added\nAPP object "X/" added\nVDIR object "X/" added\n', '']);
  assert.match(readFileSync(file, 'utf8'), /<site name="X" id="\d+">/);
  const apps = await appcmd(['list', 'apps'], { env });
  assert.equal(apps.stdout, 'APP "X/" (applicationPool:DefaultAppPool)\n');
});
