import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseApplicationHostConfig } from '@poolhost/config';
import { poolConfigurationText, writePoolConfiguration } from '../../src/isolation/pool-configuration.js';

const text = `<?xml version="1.0" encoding="UTF-8"?>
<configuration>
  <system.applicationHost>
    <applicationPools>
      <add name="PoolA" />
      <add name="PoolB"><processModel identityType="SpecificUser" userName="b" password="secret-b" /></add>
      <applicationPoolDefaults><processModel idleTimeout="00:10:00" /></applicationPoolDefaults>
    </applicationPools>
    <sites>
      <site name="Shared" id="1">
        <application path="/" applicationPool="PoolB"><virtualDirectory path="/" physicalPath="b-root" /></application>
        <application path="/a" applicationPool="PoolA"><virtualDirectory path="/" physicalPath="a-app" /></application>
        <bindings><binding protocol="http" bindingInformation="*:8080:" /></bindings>
      </site>
      <site name="OnlyB" id="2">
        <application path="/" applicationPool="PoolB"><virtualDirectory path="/" physicalPath="/srv/b-secret" /></application>
        <bindings><binding protocol="http" bindingInformation="*:8081:" /></bindings>
      </site>
    </sites>
  </system.applicationHost>
  <system.webServer>
    <defaultDocument enabled="true" />
  </system.webServer>
  <location path="OnlyB">
    <system.webServer><directoryBrowse enabled="true" /></system.webServer>
  </location>
  <location path="Shared/a">
    <system.webServer><directoryBrowse enabled="true" /></system.webServer>
  </location>
</configuration>
`;

test('a pool\'s configuration keeps its own pool, its own applications and their sites, and every global section', () => {
  const model = parseApplicationHostConfig(text, '/etc/poolhost/applicationHost.config');
  const filtered = poolConfigurationText({ model, text }, 'PoolA');
  assert.doesNotMatch(filtered, /PoolB|secret|OnlyB|b-root/);
  assert.match(filtered, /<applicationPoolDefaults>/);
  assert.match(filtered, /<defaultDocument enabled="true" \/>/);
  assert.match(filtered, /<location path="Shared\/a">/);
  // It is a valid applicationHost.config; relative paths still map to applicationHost.config's folder.
  const own = parseApplicationHostConfig(filtered, '/run/poolhost-temp/apppools/PoolA/PoolA.config', { configDirectory: '/etc/poolhost' });
  assert.deepEqual(own.applicationPools.map((pool) => pool.name), ['PoolA']);
  assert.deepEqual(own.sites.map((site) => [site.name, site.applications.map((application) => application.path)]), [['Shared', ['/a']]]);
  assert.equal(own.sites[0]!.applications[0]!.virtualDirectories[0]!.physicalPath, '/etc/poolhost/a-app');

  const forB = parseApplicationHostConfig(poolConfigurationText({ model, text }, 'poolb'), '/x/PoolB.config');
  assert.deepEqual(forB.sites.map((site) => [site.name, site.applications.map((application) => application.path)]), [['Shared', ['/']], ['OnlyB', ['/']]]);
  assert.deepEqual(forB.applicationPools.map((pool) => pool.name), ['PoolB']);
});

test('the file is written as <pool>.config in the pool\'s folder, mode 0600', (t) => {
  const folder = mkdtempSync(join(tmpdir(), 'poolhost-pool-config-'));
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  const file = writePoolConfiguration(folder, 'PoolA', '<configuration />', undefined);
  assert.equal(file, join(folder, 'PoolA.config'));
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.equal(readFileSync(file, 'utf8'), '<configuration />');
});
