import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readdirSync, readFileSync, statSync, chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigDocument, ConfigError } from '../../src/index.js';
import { allFixtures, fixture, tempDir } from '../helpers/fixtures.js';

for (const name of allFixtures()) {
  test(`load then save without change gives identical bytes: ${name}`, () => {
    const dir = tempDir();
    const file = join(dir, 'applicationHost.config');
    copyFileSync(fixture(name), file);
    const original = readFileSync(file);
    const document = ConfigDocument.open(file);
    assert.equal(document.isDirty, false);
    document.save();
    assert.ok(readFileSync(file).equals(original));
  });
}

function copyOf(name: string): { file: string; before: Buffer } {
  const file = join(tempDir(), 'applicationHost.config');
  copyFileSync(fixture(name), file);
  return { file, before: readFileSync(file) };
}

/** The single differing byte range between two buffers. */
function changedRange(before: Buffer, after: Buffer): { start: number; before: string; after: string } {
  let start = 0;
  while (start < before.length && before[start] === after[start]) start++;
  let endBefore = before.length;
  let endAfter = after.length;
  while (endBefore > start && endAfter > start && before[endBefore - 1] === after[endAfter - 1]) {
    endBefore--;
    endAfter--;
  }
  return { start, before: before.subarray(start, endBefore).toString(), after: after.subarray(start, endAfter).toString() };
}

test('setting one attribute changes only that attribute value bytes (CRLF file)', () => {
  const { file, before } = copyOf('dorik84__Web-Server-IIS.config');
  const document = ConfigDocument.open(file);
  const pool = document.find('system.applicationHost/applicationPools/add', { name: 'mysite.tbd' })!;
  assert.equal(pool.get('name'), 'mysite.tbd');
  document.find('system.applicationHost/sites/site', { name: 'MYSITE.TBD' })!.set('serverAutoStart', 'false');
  document.save();
  const after = readFileSync(file);
  assert.deepEqual(changedRange(before, after), { start: before.indexOf('true', before.indexOf('name="mysite.tbd" id="2"')), before: 'tru', after: 'fals' });
  assert.equal(after.length, before.length + 1);
  const model = ConfigDocument.open(file).toModel({ env: {} });
  assert.equal(model.sites[1]!.serverAutoStart, false);
});

test('adding an attribute appends it after the last one; removing takes its leading space', () => {
  const { file, before } = copyOf('c1982__IIS-SharedGitConfig.config');
  const document = ConfigDocument.open(file);
  const pool = document.find('system.applicationHost/applicationPools/add', { name: 'DefaultAppPool' })!;
  pool.set('queueLength', '5000');
  assert.equal(document.text.includes('<add name="DefaultAppPool" queueLength="5000" />'), true);
  pool.removeAttribute('queueLength');
  assert.equal(document.text, before.toString());
  assert.equal(document.isDirty, false);
});

test('values are escaped when written and decoded when read', () => {
  const document = ConfigDocument.parse('<configuration>\n  <a v="x" />\n</configuration>\n', '/tmp/x.config');
  const a = document.find('a')!;
  a.set('v', 'Tom & "Jerry" <3');
  assert.equal(document.text, '<configuration>\n  <a v="Tom &amp; &quot;Jerry&quot; &lt;3" />\n</configuration>\n');
  assert.equal(ConfigDocument.parse(document.text, '/tmp/x.config').find('a')!.get('v'), 'Tom & "Jerry" <3');
});

test('adding a pool matches the siblings indentation and the file line endings (CRLF)', () => {
  const { file } = copyOf('dorik84__Web-Server-IIS.config');
  const document = ConfigDocument.open(file);
  const pools = document.find('system.applicationHost/applicationPools')!;
  const added = pools.addChild('add', { name: 'Shop' }, { before: pools.child('applicationPoolDefaults') });
  added.addChild('processModel', { idleTimeout: '00:00:00' });
  document.save();
  const text = readFileSync(file, 'utf8');
  assert.ok(
    text.includes(
      '            <add name=".NET v4.5" managedRuntimeVersion="v4.0" />\r\n' +
        '            <add name="Shop">\r\n' +
        '                <processModel idleTimeout="00:00:00" />\r\n' +
        '            </add>\r\n' +
        '            <applicationPoolDefaults managedRuntimeVersion="v4.0">',
    ),
  );
  assert.equal(text.replace(/\r\n/g, '').includes('\n'), false, 'no bare LF introduced');
  const model = ConfigDocument.open(file).toModel({ env: {} });
  assert.deepEqual(model.applicationPools.map((p) => p.name), ['DefaultAppPool', 'mysite.tbd', '.NET v4.5 Classic', '.NET v4.5', 'Shop']);
  assert.equal(model.applicationPools[4]!.processModel.idleTimeout, 0);
  assert.equal(model.applicationPools[4]!.managedRuntimeVersion, 'v4.0');
});

test('adding to an element with no children and to a self-closing element', () => {
  const document = ConfigDocument.parse('<configuration>\n    <system.applicationHost>\n        <webLimits />\n        <sites>\n        </sites>\n    </system.applicationHost>\n</configuration>\n', '/tmp/a.config');
  document.find('system.applicationHost/sites')!.addChild('site', { name: 'A', id: '1' });
  document.find('system.applicationHost/webLimits')!.addChild('future', { x: '1' });
  assert.equal(
    document.text,
    '<configuration>\n    <system.applicationHost>\n        <webLimits>\n            <future x="1" />\n        </webLimits>\n        <sites>\n            <site name="A" id="1" />\n        </sites>\n    </system.applicationHost>\n</configuration>\n',
  );
  // Handles stay valid across edits.
  const site = document.find('system.applicationHost/sites/site', { name: 'A' })!;
  site.addChild('bindings').addChild('binding', { protocol: 'http', bindingInformation: '*:8080:' });
  site.set('serverAutoStart', 'false');
  assert.equal(site.position.line, 7);
  assert.ok(document.text.includes('            <site name="A" id="1" serverAutoStart="false">\n                <bindings>\n                    <binding protocol="http" bindingInformation="*:8080:" />\n                </bindings>\n            </site>\n'));
});

test('removing an element removes its whole line and nothing else', () => {
  const { file, before } = copyOf('c1982__IIS-SharedGitConfig.config');
  const document = ConfigDocument.open(file);
  document.find('system.applicationHost/applicationPools/add', { name: '.NET v4.5' })!.remove();
  document.save();
  const expected = before.toString().replace('            <add name=".NET v4.5" managedRuntimeVersion="v4.0" />\n', '');
  assert.equal(readFileSync(file, 'utf8'), expected);
});

test('ensure and location create missing elements', () => {
  const document = ConfigDocument.parse('<configuration>\n    <system.webServer />\n</configuration>\n', '/tmp/b.config');
  document.ensure('system.webServer/directoryBrowse').set('enabled', 'true');
  document.location('Default Web Site/app', { create: true, overrideMode: 'Allow' })!.addChild('system.webServer').addChild('handlers');
  assert.equal(
    document.text,
    '<configuration>\n    <system.webServer>\n        <directoryBrowse enabled="true" />\n    </system.webServer>\n    <location path="Default Web Site/app" overrideMode="Allow">\n        <system.webServer>\n            <handlers />\n        </system.webServer>\n    </location>\n</configuration>\n',
  );
  assert.equal(document.location('default web site/APP')!.get('overrideMode'), 'Allow');
});

test('comments and untouched attributes keep their bytes after many edits', () => {
  const { file, before } = copyOf('mattgillard__iis-reverse-proxy.config');
  const document = ConfigDocument.open(file);
  const site = document.find('system.applicationHost/sites/site', { name: 'Default Web Site' })!;
  const binding = site.child('bindings')!.addChild('binding', { protocol: 'http', bindingInformation: '*:8080:' });
  binding.remove();
  site.set('id', '1');
  document.save();
  assert.ok(readFileSync(file).equals(before));
});

test('the edited document validates through the same tree (errors point at the edit)', () => {
  const { file } = copyOf('mlbakerak__WinIRISBuild.config');
  const document = ConfigDocument.open(file);
  const pool = document.find('system.applicationHost/applicationPools/add', { name: 'DefaultAppPool' })!;
  pool.set('queueLength', '5');
  try {
    document.toModel({ env: {} });
    assert.fail('expected ConfigError');
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    const attribute = document.text.indexOf('queueLength="5"');
    const line = document.text.slice(0, attribute).split('\n').length;
    assert.equal(error.line, line);
    assert.equal(error.column, attribute - document.text.lastIndexOf('\n', attribute - 1));
  }
});

test('save is atomic: temp file in the same folder, renamed over, mode kept, no leftovers', () => {
  const dir = tempDir();
  const file = join(dir, 'applicationHost.config');
  writeFileSync(file, '<configuration>\n  <a x="1" />\n</configuration>\n');
  chmodSync(file, 0o640);
  const inodeBefore = statSync(file).ino;
  const document = ConfigDocument.open(file);
  document.find('a')!.set('x', '2');
  document.save();
  assert.equal(readFileSync(file, 'utf8'), '<configuration>\n  <a x="2" />\n</configuration>\n');
  assert.deepEqual(readdirSync(dir), ['applicationHost.config']);
  assert.equal(statSync(file).mode & 0o777, 0o640);
  assert.notEqual(statSync(file).ino, inodeBefore, 'replaced by rename, not rewritten in place');
});

test('opening a malformed file throws ConfigError with the position', () => {
  const file = join(tempDir(), 'applicationHost.config');
  writeFileSync(file, '<configuration>\n  <a x="1">\n</configuration>\n');
  assert.throws(() => ConfigDocument.open(file), (error: unknown) => error instanceof ConfigError && error.line === 3 && error.code === 'POOLHOST_CONFIG_XML_MALFORMED');
});

test('a UTF-8 BOM and non-UTF-8 bytes survive a round trip', () => {
  const dir = tempDir();
  const bom = join(dir, 'bom.config');
  writeFileSync(bom, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('<configuration><a x="1" /></configuration>')]));
  const latin = join(dir, 'latin.config');
  writeFileSync(latin, Buffer.concat([Buffer.from('<configuration><a x="caf'), Buffer.from([0xe9]), Buffer.from('" /></configuration>')]));
  for (const file of [bom, latin]) {
    const before = readFileSync(file);
    ConfigDocument.open(file).save();
    assert.ok(readFileSync(file).equals(before), file);
  }
});
