// Locks between configuration levels, as an IIS admin sees them: each kind of lock set at one level and
// broken by a web.config below gives IIS's 500.19 page with error code 0x80070021, the file and the
// line of the offending element; folders that keep to the lock are served.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSite } from './pipeline-support.js';

const webConfig = (inner: string, outside = ''): string => `<?xml version="1.0"?>\n<configuration>\n  <system.webServer>\n${inner}\n  </system.webServer>\n${outside}</configuration>\n`;

test('lockAttributes, lockAllAttributesExcept, lockElements, lockItem, overrideMode="Deny" and MachineToApplication: each broken lock is a 500.19 naming the file and line', async () => {
  const files: Record<string, string> = {
    'www/web.config': webConfig(`    <directoryBrowse enabled="false" lockAttributes="enabled" />
    <defaultDocument lockElements="files" />
    <httpProtocol lockAllAttributesExcept="allowKeepAlive" />
    <staticContent><mimeMap fileExtension=".lockd" mimeType="text/plain" lockItem="true" /></staticContent>
    <rewrite><rules><rule name="into"><match url="^into-(\\w+)$" /><action type="Rewrite" url="{R:1}/index.html" /></rule></rules></rewrite>`,
    `  <location path="sealed" overrideMode="Deny"><system.webServer><httpErrors /></system.webServer></location>\n`),
    'www/index.html': 'root',
    'www/ok/web.config': webConfig('    <directoryBrowse showFlags="Size" />\n    <defaultDocument enabled="true" />'),
    'www/ok/index.html': 'ok keeps to the locks',
    'www/attribute/web.config': webConfig('    <directoryBrowse enabled="false" />'),
    'www/attribute/index.html': 'x',
    'www/except/web.config': webConfig('    <httpProtocol allowKeepAlive="true" />'),
    'www/except/index.html': 'keeps to lockAllAttributesExcept',
    'www/except/bad/web.config': webConfig('    <httpProtocol allowKeepAlive="true" xmlnsLike="1" />'),
    'www/except/bad/index.html': 'x',
    'www/elements/web.config': webConfig('    <defaultDocument>\n      <files><add value="home.html" /></files>\n    </defaultDocument>'),
    'www/elements/index.html': 'x',
    'www/item/web.config': webConfig('    <staticContent>\n      <remove fileExtension=".lockd" />\n    </staticContent>'),
    'www/item/index.html': 'x',
    'www/sealed/web.config': webConfig('    <httpErrors errorMode="Detailed" />'),
    'www/sealed/index.html': 'x',
    'www/modules/web.config': webConfig('    <modules>\n      <remove name="DirectoryListingModule" />\n    </modules>'),
    'www/modules/index.html': 'x',
  };
  const site = await startSite({ files }, after);
  const root = site.poolhost.root;
  const expectFault = async (path: string, file: string, line: number, message: RegExp): Promise<void> => {
    const response = await site.get(path);
    assert.equal(response.status, 500, path);
    assert.match(response.text, /HTTP Error 500\.19 - Internal Server Error/, path);
    assert.match(response.text, /<th>Error Code<\/th><td>&nbsp;&nbsp;&nbsp;0x80070021<\/td>/, path);
    assert.match(response.text, new RegExp(`<th>Config File</th><td>&nbsp;&nbsp;&nbsp;${root}/${file}</td>`), path);
    assert.match(response.text, new RegExp(`<th>Config Error</th><td>[^<]*${message.source}`), path);
    assert.match(response.text, new RegExp(`\\s${line}: <span class="highlight-code">`), `${path}: line ${line}`);
  };

  assert.equal((await site.get('/')).text, 'root');
  assert.equal((await site.get('/ok/')).text, 'ok keeps to the locks');
  await expectFault('/attribute/', 'www/attribute/web.config', 4, /Lock violation: attribute 'enabled' of &lt;directoryBrowse&gt; is locked/);
  await expectFault('/except/bad/', 'www/except/bad/web.config', 4, /Lock violation: attribute 'xmlnsLike'/);
  await expectFault('/elements/', 'www/elements/web.config', 5, /Lock violation: element &lt;files&gt; of &lt;defaultDocument&gt; is locked/);
  await expectFault('/item/', 'www/item/web.config', 5, /Lock violation: &lt;remove&gt; of an entry locked at a parent level/);
  await expectFault('/sealed/', 'www/sealed/web.config', 4, /This configuration section cannot be used at this path\./);
  await expectFault('/modules/', 'www/modules/web.config', 4, /allowDefinition=&quot;MachineToApplication&quot;/);
  // A rewrite into a folder is mapped with that folder's configuration: its fault too; into a sound one, served.
  await expectFault('/into-attribute', 'www/attribute/web.config', 4, /Lock violation: attribute 'enabled'/);
  assert.equal((await site.get('/into-ok')).text, 'ok keeps to the locks');
  // A fault is the folder's: its neighbours and parent keep being served.
  assert.equal((await site.get('/except/')).text, 'keeps to lockAllAttributesExcept');
  assert.equal((await site.get('/')).text, 'root');
});
