// An attribute outside IIS's schema (and poolhost's): in web.config the request gets IIS's 500.19
// "Unrecognized attribute"; in applicationHost.config the edit is refused with file:line:column (log and
// appcmd) and the last good configuration keeps serving. IIS settings poolhost does not honour are logged.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startSite } from './pipeline-support.js';
import { saveConfig } from '../recycling/recycling-support.js';
import { waitFor } from '../support/wait.js';

test("a web.config typo is IIS's 500.19 'Unrecognized attribute'; an applicationHost.config typo is refused with file:line:column and the last good configuration keeps serving", async () => {
  const site = await startSite(
    {
      files: {
        'www/typo/web.config': '<configuration>\n  <system.webServer>\n    <directoryBrowse enabled="true" fooBar="1" />\n  </system.webServer>\n</configuration>\n',
        'www/typo/index.html': 'should not be served',
        'www/fine/web.config': '<configuration>\n  <system.webServer>\n    <staticContent enableDocFooter="true" />\n  </system.webServer>\n</configuration>\n',
        'www/fine/index.html': 'fine',
      },
      pools: [{ name: 'Pool', attributes: { managedRuntimeVersion: 'v4.0' } }],
    },
    after,
  );
  const { poolhost } = site;

  const typo = await site.get('/typo/');
  assert.equal(typo.status, 500);
  assert.match(typo.text, /HTTP Error 500\.19 - Internal Server Error/);
  assert.match(typo.text, /<th>Error Code<\/th><td>&nbsp;&nbsp;&nbsp;0x8007000d<\/td>/);
  assert.match(typo.text, /<th>Config Error<\/th><td>&nbsp;&nbsp;&nbsp;Unrecognized attribute 'fooBar'\. Note that attribute names are case-sensitive\.<\/td>/);
  assert.match(typo.text, new RegExp(`<th>Config File</th><td>&nbsp;&nbsp;&nbsp;${poolhost.root}/www/typo/web.config</td>`));
  assert.match(typo.text, /    3: <span class="highlight-code">    &lt;directoryBrowse enabled=&quot;true&quot; fooBar=&quot;1&quot; \/&gt;<\/span>/);
  assert.doesNotMatch(typo.text, /should not be served/);
  assert.equal((await site.get('/fine/')).text, 'fine', 'the other folders are unaffected');

  // Settings poolhost accepts but does not honour are logged with their position, never dropped silently.
  const notHonoured = () => poolhost.logLines.filter((line) => (line.configWarning as { code?: string } | undefined)?.code === 'POOLHOST_CONFIG_NOT_HONOURED').map((line) => String(line.msg));
  await waitFor('the not honoured settings to be logged', () => notHonoured().length >= 2, 5_000);
  assert.ok(notHonoured().some((msg) => /applicationHost\.config:\d+:\d+: IIS setting applicationPools\/add@managedRuntimeVersion="v4\.0" is not honoured by poolhost/.test(msg)), notHonoured().join('\n'));
  assert.ok(notHonoured().some((msg) => /www\/fine\/web\.config:3:20: IIS setting staticContent@enableDocFooter="true" is not honoured by poolhost/.test(msg)), notHonoured().join('\n'));

  // A typo in applicationHost.config: refused, logged and shown by appcmd with file:line:column.
  const good = readFileSync(poolhost.configFile, 'utf8');
  const broken = good.replace('<add name="Pool"', '<add name="Pool" fooBar="1"');
  assert.notEqual(broken, good);
  saveConfig(poolhost, broken);
  await waitFor('the error to be logged', () => poolhost.logLines.some((line) => (line.configError as { code?: string } | undefined)?.code === 'POOLHOST_CONFIG_UNKNOWN_ATTRIBUTE'), 15_000); // a configuration reload
  const logged = poolhost.logLines.find((line) => (line.configError as { code?: string } | undefined)?.code === 'POOLHOST_CONFIG_UNKNOWN_ATTRIBUTE')!;
  const position = logged.configError as { file: string; line: number; column: number };
  assert.equal(position.file, poolhost.configFile);
  const lineText = broken.split('\n')[position.line - 1]!;
  assert.ok(lineText.slice(position.column - 1).startsWith('fooBar="1"'), `line ${position.line} column ${position.column} points at the attribute: ${lineText}`);
  assert.match(String(logged.msg), /last known good/);
  assert.match(String(logged.msg), /applicationHost\.config:\d+:\d+: Unrecognized attribute 'fooBar' on <applicationPools\/add>\. Note that attribute names are case-sensitive/);

  const shown = await site.appcmd('list', 'apppool');
  assert.notEqual(shown.code, 0);
  assert.match(shown.stdout + shown.stderr, new RegExp(`applicationHost\\.config:${position.line}:${position.column}: Unrecognized attribute 'fooBar' on <applicationPools/add>`));

  assert.equal((await site.get('/fine/')).text, 'fine', 'the last good configuration keeps serving');
  assert.equal((await site.get('/typo/')).status, 500);
});
