import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EffectiveConfigCache, getEffectiveWebServerConfig, loadApplicationHostConfig, type ApplicationHostConfig, type WebServerConfig } from '../../src/index.js';
import { writeTree } from '../helpers/fixtures.js';

// Applications /a, /b (folder shared) and /c (a folder with its own web.config); /d shares the folder
// of /a and /b but an applicationHost.config location tag changes its default documents.
const hostConfig = (root: string): string => `<?xml version="1.0"?>
<configuration>
  <system.applicationHost>
    <applicationPools><add name="DefaultAppPool" /></applicationPools>
    <sites>
      <site name="Site" id="1">
        <application path="/"><virtualDirectory path="/" physicalPath="${root}/www" /></application>
        <application path="/a"><virtualDirectory path="/" physicalPath="${root}/shared" /></application>
        <application path="/b"><virtualDirectory path="/" physicalPath="${root}/shared" /></application>
        <application path="/c"><virtualDirectory path="/" physicalPath="${root}/own" /></application>
        <application path="/d"><virtualDirectory path="/" physicalPath="${root}/shared" /></application>
        <bindings><binding protocol="http" bindingInformation="*:80:" /></bindings>
      </site>
    </sites>
  </system.applicationHost>
  <location path="Site/d"><system.webServer><defaultDocument><files><add value="d.html" /></files></defaultDocument></system.webServer></location>
</configuration>
`;

function setUp(): ApplicationHostConfig {
  const root = writeTree({
    'shared/web.config': '<configuration><system.webServer><defaultDocument><files><add value="shared.html" /></files></defaultDocument></system.webServer></configuration>',
    'own/web.config': '<configuration><system.webServer><defaultDocument><files><add value="own.html" /></files></defaultDocument></system.webServer></configuration>',
    'www/index.html': '',
  });
  const file = join(root, 'applicationHost.config');
  writeFileSync(file, hostConfig(root));
  return loadApplicationHostConfig(file, { env: {} });
}

function effective(host: ApplicationHostConfig, path: string, cache?: EffectiveConfigCache): WebServerConfig {
  const result = getEffectiveWebServerConfig(host, 'Site', path, { cache });
  assert.ok(result.ok, result.ok ? '' : JSON.stringify(result.fault));
  return result.config;
}

test('applications whose levels bring the same sections share one configuration object', () => {
  const host = setUp();
  const cache = new EffectiveConfigCache();
  const a = effective(host, '/a', cache);
  assert.equal(effective(host, '/b', cache), a);
  assert.ok(a.defaultDocument.files.includes('shared.html'));
});

test('a different web.config or a location tag of its own gives an application its own configuration', () => {
  const host = setUp();
  const cache = new EffectiveConfigCache();
  const a = effective(host, '/a', cache);
  const c = effective(host, '/c', cache);
  const d = effective(host, '/d', cache);
  assert.notEqual(c, a);
  assert.notEqual(d, a);
  assert.ok(c.defaultDocument.files.includes('own.html') && !c.defaultDocument.files.includes('shared.html'));
  assert.ok(d.defaultDocument.files.includes('d.html') && d.defaultDocument.files.includes('shared.html'));
  assert.ok(!a.defaultDocument.files.includes('d.html'));
});

test('with and without the cache every application gets the same configuration', () => {
  const host = setUp();
  const cache = new EffectiveConfigCache();
  for (const path of ['/', '/a', '/b', '/c', '/d']) assert.deepEqual(effective(host, path, cache), effective(host, path));
});

test('the files read are reported for every application, cached or not', () => {
  const host = setUp();
  const cache = new EffectiveConfigCache();
  getEffectiveWebServerConfig(host, 'Site', '/a', { cache });
  const second = getEffectiveWebServerConfig(host, 'Site', '/b', { cache });
  assert.ok(second.ok);
  assert.equal(second.files.filter((file) => file.endsWith(join('shared', 'web.config'))).length, 1);
});
