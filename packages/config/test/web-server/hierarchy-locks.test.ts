// The configuration hierarchy level by level (reference §5): every URL level's web.config, child
// applications inheriting their parent's, inheritInChildApplications="false", and the granular locks
// (lockAttributes, lockAllAttributesExcept, lockElements, lockItem) a lower level breaks with a 500.19.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { getEffectiveWebServerConfig, loadApplicationHostConfig, type EffectiveWebServerConfig, type WebServerConfig } from '../../src/index.js';
import { applicationHost, tempDir } from '../helpers/fixtures.js';

const SITES = `            <site name="Site" id="1">
                <application path="/">
                    <virtualDirectory path="/" physicalPath="/ROOT/www" />
                </application>
                <application path="/app">
                    <virtualDirectory path="/" physicalPath="/ROOT/app" />
                    <virtualDirectory path="/shared" physicalPath="/ROOT/shared" />
                </application>
                <application path="/app/child">
                    <virtualDirectory path="/" physicalPath="/ROOT/child" />
                </application>
                <bindings><binding protocol="http" bindingInformation="*:80:" /></bindings>
            </site>`;

const GLOBAL = `        <defaultDocument enabled="true"><files><add value="index.html" /></files></defaultDocument>
        <handlers><add name="StaticFile" path="*" verb="*" modules="StaticFileModule" resourceType="Either" requireAccess="Read" /></handlers>`;

const webConfig = (inner: string, outside = ''): string => `<?xml version="1.0"?>\n<configuration>\n  <system.webServer>\n${inner}\n  </system.webServer>\n${outside}</configuration>\n`;

function setup(files: Record<string, string>, tail = '<location path="" overrideMode="Allow"><system.webServer><handlers /></system.webServer></location>') {
  const root = tempDir();
  const tree = { 'applicationHost.config': applicationHost({ pools: '<add name="DefaultAppPool" />', sites: SITES.replaceAll('/ROOT', root), webServer: GLOBAL, tail }), ...files };
  for (const [path, content] of Object.entries(tree)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  const host = loadApplicationHostConfig(join(root, 'applicationHost.config'), { env: {} });
  return { root, at: (url: string): EffectiveWebServerConfig => getEffectiveWebServerConfig(host, 'Site', url) };
}

function ok(result: EffectiveWebServerConfig): WebServerConfig {
  assert.ok(result.ok, result.ok ? '' : JSON.stringify(result.fault));
  return result.config;
}

function fault(result: EffectiveWebServerConfig) {
  assert.equal(result.ok, false, 'expected a 500.19');
  return (result as Extract<EffectiveWebServerConfig, { ok: false }>).fault;
}

const handlerNames = (result: EffectiveWebServerConfig): string[] => ok(result).handlers.handlers.map((handler) => handler.name);

test('every URL level counts: site root, parent application, application, sub-folders, virtual directory', () => {
  const { root, at } = setup({
    'www/web.config': webConfig('    <handlers><add name="root" path="root.js" verb="*" modules="iisnode" /></handlers>'),
    'app/web.config': webConfig('    <handlers><add name="app" path="app.js" verb="*" modules="iisnode" /></handlers>'),
    'app/a/web.config': webConfig('    <handlers><add name="a" path="a.js" verb="*" modules="iisnode" /></handlers>'),
    'app/a/b/web.config': webConfig('    <handlers><add name="b" path="b.js" verb="*" modules="iisnode" /></handlers>'),
    'shared/web.config': webConfig('    <handlers><add name="shared" path="s.js" verb="*" modules="iisnode" /></handlers>'),
    'child/web.config': webConfig('    <handlers><add name="child" path="c.js" verb="*" modules="iisnode" /></handlers>'),
  });
  assert.deepEqual(handlerNames(at('/app/a/b/b.js')), ['b', 'a', 'app', 'root', 'StaticFile']);
  const deep = at('/app/a/b/');
  assert.deepEqual(deep.files, ['www', 'app', 'app/a', 'app/a/b'].map((folder) => join(root, folder, 'web.config')));
  assert.deepEqual(handlerNames(at('/app/a/x.html')), ['a', 'app', 'root', 'StaticFile']);
  assert.deepEqual(handlerNames(at('/app/shared/s.js')), ['shared', 'app', 'root', 'StaticFile']);
  // A child application inherits its parent's web.config, as in IIS.
  assert.deepEqual(handlerNames(at('/app/child/c.js')), ['child', 'app', 'root', 'StaticFile']);
  assert.deepEqual(handlerNames(at('/other/page.html')), ['root', 'StaticFile']);
});

test('<location path> inside a web.config reaches a sub-folder, a deeper folder and a child application', () => {
  const { at } = setup({
    'app/web.config': webConfig(
      '    <directoryBrowse enabled="false" />',
      `  <location path="docs"><system.webServer><directoryBrowse enabled="true" /></system.webServer></location>
  <location path="docs/old"><system.webServer><defaultDocument><files><add value="old.html" /></files></defaultDocument></system.webServer></location>
  <location path="child"><system.webServer><directoryBrowse enabled="true" showFlags="Size" /></system.webServer></location>
`,
    ),
  });
  assert.equal(ok(at('/app/')).directoryBrowse.enabled, false);
  assert.equal(ok(at('/app/docs/')).directoryBrowse.enabled, true);
  assert.deepEqual(ok(at('/app/docs/old/')).defaultDocument.files, ['old.html', 'index.html']);
  assert.deepEqual(ok(at('/app/docs/')).defaultDocument.files, ['index.html']);
  assert.deepEqual(ok(at('/app/child/')).directoryBrowse.showFlags, ['Size']);
});

test('inheritInChildApplications="false" stops at child applications, not at sub-folders', () => {
  const { at } = setup({
    'app/web.config': `<?xml version="1.0"?>
<configuration>
  <location path="." inheritInChildApplications="false">
    <system.webServer>
      <handlers><add name="parentOnly" path="server.js" verb="*" modules="iisnode" /></handlers>
    </system.webServer>
  </location>
</configuration>
`,
  });
  assert.deepEqual(handlerNames(at('/app/server.js')), ['parentOnly', 'StaticFile']);
  assert.deepEqual(handlerNames(at('/app/sub/server.js')), ['parentOnly', 'StaticFile']);
  assert.deepEqual(handlerNames(at('/app/child/server.js')), ['StaticFile']);
  const tail = `<location path="" overrideMode="Allow"><system.webServer><handlers /></system.webServer></location>
<location path="Site/app" inheritInChildApplications="false"><system.webServer><directoryBrowse enabled="true" /></system.webServer></location>`;
  const apphost = setup({}, tail);
  assert.equal(ok(apphost.at('/app/x/')).directoryBrowse.enabled, true);
  assert.equal(ok(apphost.at('/app/child/')).directoryBrowse.enabled, false);
});

test('<clear/> and <remove> at a sub-folder level', () => {
  const { at } = setup({
    'app/web.config': webConfig('    <defaultDocument><files><add value="server.js" /></files></defaultDocument>'),
    'app/a/web.config': webConfig('    <defaultDocument><files><remove value="index.html" /></files></defaultDocument>'),
    'app/a/b/web.config': webConfig('    <defaultDocument><files><clear /><add value="b.html" /></files></defaultDocument>'),
  });
  assert.deepEqual(ok(at('/app/')).defaultDocument.files, ['server.js', 'index.html']);
  assert.deepEqual(ok(at('/app/a/')).defaultDocument.files, ['server.js']);
  assert.deepEqual(ok(at('/app/a/b/')).defaultDocument.files, ['b.html']);
});

test('lockAttributes: a lower level setting a locked attribute (even to the same value) is a lock violation with file and line', () => {
  const { root, at } = setup({
    'app/web.config': webConfig('    <directoryBrowse enabled="false" lockAttributes="enabled" />'),
    'app/sub/web.config': webConfig('    <directoryBrowse enabled="false" />'),
    'app/other/web.config': webConfig('    <directoryBrowse showFlags="Size" />'),
  });
  assert.equal(ok(at('/app/')).directoryBrowse.enabled, false);
  const violation = fault(at('/app/sub/page.html'));
  assert.equal(violation.errorCode, '0x80070021');
  assert.equal(violation.file, join(root, 'app/sub/web.config'));
  assert.equal(violation.line, 4);
  assert.equal(violation.section, 'system.webServer/directoryBrowse');
  assert.match(violation.message, /^Lock violation: attribute 'enabled' of <directoryBrowse> is locked/);
  assert.deepEqual(ok(at('/app/other/')).directoryBrowse.showFlags, ['Size']);
});

test('lockAllAttributesExcept, lockElements and lockItem', () => {
  const { at } = setup({
    'app/web.config': webConfig(`    <directoryBrowse enabled="false" lockAllAttributesExcept="showFlags" />
    <defaultDocument lockElements="files" />
    <staticContent><mimeMap fileExtension=".zzq" mimeType="text/x" lockItem="true" /></staticContent>`),
    'app/ok/web.config': webConfig('    <directoryBrowse showFlags="Size" />'),
    'app/attr/web.config': webConfig('    <directoryBrowse enabled="true" />'),
    'app/elements/web.config': webConfig('    <defaultDocument><files><add value="x.html" /></files></defaultDocument>'),
    'app/enabled/web.config': webConfig('    <defaultDocument enabled="false" />'),
    'app/remove/web.config': webConfig('    <staticContent><remove fileExtension=".zzq" /></staticContent>'),
    'app/clear/web.config': webConfig('    <staticContent><clear /></staticContent>'),
  });
  assert.deepEqual(ok(at('/app/ok/')).directoryBrowse.showFlags, ['Size']);
  assert.match(fault(at('/app/attr/')).message, /^Lock violation: attribute 'enabled' of <directoryBrowse> is locked \(lockAllAttributesExcept="showFlags"\)/);
  assert.match(fault(at('/app/elements/')).message, /^Lock violation: element <files> of <defaultDocument> is locked/);
  assert.equal(ok(at('/app/enabled/')).defaultDocument.enabled, false);
  assert.match(fault(at('/app/remove/')).message, /^Lock violation: <remove> of an entry locked at a parent level/);
  assert.match(fault(at('/app/clear/')).message, /^Lock violation: <clear\/> would remove an entry locked/);
});

test('lockItem on a section locks the whole section below; the level that locks may still set it', () => {
  const { at } = setup({
    'app/web.config': webConfig('    <directoryBrowse enabled="true" lockItem="true" />'),
    'app/sub/web.config': webConfig('    <directoryBrowse showFlags="Size" />'),
  });
  assert.equal(ok(at('/app/')).directoryBrowse.enabled, true);
  assert.match(fault(at('/app/sub/')).message, /^Lock violation: <directoryBrowse> is locked \(lockItem="true"\)/);
});

test('locks in applicationHost.config bind web.config files; a location tag may unlock a section only for its path', () => {
  const tail = `<location path="" overrideMode="Allow"><system.webServer><handlers /></system.webServer></location>
<location path="Site/app" overrideMode="Deny"><system.webServer><defaultDocument /></system.webServer></location>`;
  const { at } = setup(
    {
      'www/web.config': webConfig('    <defaultDocument enabled="false" />'),
      'app/web.config': webConfig('    <defaultDocument enabled="false" />'),
    },
    tail,
  );
  assert.equal(ok(at('/')).defaultDocument.enabled, false);
  assert.equal(fault(at('/app/')).errorCode, '0x80070021');
});

test('modules (allowDefinition="MachineToApplication") in a sub-folder web.config is a 500.19; at an application root it is fine', () => {
  const tail = '<location path="" overrideMode="Allow"><system.webServer><handlers /><modules /></system.webServer></location>';
  const { root, at } = setup(
    {
      'app/web.config': webConfig('    <modules><remove name="DirectoryListingModule" /></modules>'),
      'app/sub/web.config': webConfig('    <modules><remove name="DefaultDocumentModule" /></modules>'),
    },
    tail,
  );
  ok(at('/app/'));
  const result = fault(at('/app/sub/'));
  assert.equal(result.file, join(root, 'app/sub/web.config'));
  assert.match(result.message, /allowDefinition="MachineToApplication"/);
});

test('a location tag with both allowOverride and overrideMode is a 500.19 where it applies', () => {
  const { root, at } = setup({
    'app/web.config': webConfig('', '  <location path="sub" allowOverride="false" overrideMode="Deny"><system.webServer><directoryBrowse enabled="true" /></system.webServer></location>\n'),
  });
  ok(at('/app/'));
  const result = fault(at('/app/sub/'));
  assert.equal(result.file, join(root, 'app/web.config'));
  assert.equal(result.line, 6);
  assert.match(result.message, /allowOverride.*overrideMode/);
});
