import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applicationsConfiguredBy } from '../../src/configuration/web-config-scope.js';
import { settle } from '@poolhost/common/testing';
import { configWithPools } from '../support/config-fixture.js';
import { createHarness, runningWorker } from '../support/was-harness.js';

const root = mkdtempSync(join(tmpdir(), 'was-web-config-'));
after(() => rmSync(root, { recursive: true, force: true }));
mkdirSync(join(root, 'appb', 'sub'), { recursive: true });
const pools = [{ name: 'AppA' }, { name: 'AppB' }, { name: 'AppC', attributes: 'enableConfigurationOverride="false"' }];

test('a web.config configures the application owning its folder and the applications below its URL', () => {
  const config = configWithPools(pools, { physicalPath: root });
  const scope = (file: string) => applicationsConfiguredBy(config, file).map((application) => `${application.site}${application.path}:${application.applicationPool}`);
  assert.deepEqual(scope(join(root, 'web.config')), ['Default Web Site/:AppA', 'Default Web Site/appb:AppB', 'Default Web Site/appc:AppC', 'Second/:AppA']);
  // In the second site, /appb is a plain folder of the root application, so its web.config applies there too.
  assert.deepEqual(scope(join(root, 'appb', 'web.config')), ['Default Web Site/appb:AppB', 'Second/:AppA']);
  assert.deepEqual(scope(join(root, 'appb', 'sub', 'web.config')), ['Default Web Site/appb:AppB', 'Second/:AppA']);
  assert.deepEqual(scope('/elsewhere/web.config'), []);
});

test('a changed web.config recycles the pools of its applications; a broken one is logged and recycles nothing', async () => {
  const harness = await createHarness(pools, { physicalPath: root });
  const a = await runningWorker(harness, 'AppA');
  const b = await runningWorker(harness, 'AppB');
  const c = await runningWorker(harness, 'AppC');
  writeFileSync(join(root, 'appb', 'web.config'), '<configuration><system.webServer><defaultDocument enabled="false" /></system.webServer></configuration>');
  await harness.was.webConfigsChanged([join(root, 'appb', 'web.config')]);
  assert.deepEqual(harness.spawner.workers.slice(3).map((worker) => worker.poolName).sort(), ['AppA', 'AppB']);
  for (const worker of harness.spawner.workers.slice(3)) worker.ready();
  await settle();
  assert.equal(b.hasExited, true);
  assert.equal(a.hasExited, true);
  assert.deepEqual(harness.eventIds(), [5080, 5080]);

  writeFileSync(join(root, 'web.config'), '<configuration>\n  <system.webServer>\n    <defaultDocument enabled="maybe" />\n</configuration>');
  await harness.was.webConfigsChanged([join(root, 'web.config')]);
  assert.equal(harness.spawner.workers.length, 5, 'nothing recycles for a broken web.config');
  const line = harness.logLines.find((entry) => entry.configError !== undefined)!;
  assert.equal((line.configError as { file: string }).file, join(root, 'web.config'));
  assert.match(String(line.msg), /web\.config:\d+:\d+: /);

  writeFileSync(join(root, 'web.config'), '<configuration />');
  await harness.was.webConfigsChanged([join(root, 'web.config')]);
  assert.deepEqual(harness.spawner.workers.slice(5).map((worker) => worker.poolName).sort(), ['AppA', 'AppB'], 'AppC (enableConfigurationOverride=false) ignores web.config');
  assert.equal(c.hasExited, false);
});
