// appcmd and the <iisnode> section: every attribute of iisnode's schema is known (checked, shown with
// its default by /config:*), Windows-only ones included; no server needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appcmd } from './appcmd-process.js';

const CONFIG = `<?xml version="1.0" encoding="UTF-8"?>
<configuration>
  <system.applicationHost>
    <applicationPools><add name="DefaultAppPool" /></applicationPools>
    <sites>
      <site name="Default Web Site" id="1">
        <application path="/"><virtualDirectory path="/" physicalPath="/srv/www" /></application>
        <bindings><binding protocol="http" bindingInformation="*:80:" /></bindings>
      </site>
    </sites>
  </system.applicationHost>
  <system.webServer>
    <iisnode maxNamedPipeConnectionPoolSize="256" />
  </system.webServer>
</configuration>
`;

test('appcmd: set, check and list the iisnode section, Windows-only attributes included', async () => {
  const root = mkdtempSync(join(tmpdir(), 'appcmd-iisnode-'));
  const file = join(root, 'applicationHost.config');
  writeFileSync(file, CONFIG);
  const run = (...args: string[]) => appcmd([...args, `/apphostconfig:${file}`], { env: { POOLHOST_RUN_DIR: join(root, 'run') } });
  assert.equal((await run('set', 'config', '/section:system.webServer/iisnode', '/nodeProcessCountPerApplication:2', '/debuggingEnabled:false')).code, 0);
  assert.match(readFileSync(file, 'utf8'), /<iisnode maxNamedPipeConnectionPoolSize="256" nodeProcessCountPerApplication="2" debuggingEnabled="false" \/>/);
  const listed = (await run('list', 'config', '/section:system.webServer/iisnode')).stdout;
  assert.match(listed, /maxNamedPipeConnectionPoolSize="256"/);
  assert.match(listed, /nodeProcessCountPerApplication="2"/);
  const all = (await run('list', 'config', '/section:system.webServer/iisnode', '/config:*')).stdout;
  for (const attribute of ['watchedFiles="*.js;iisnode.yml"', 'maxLogFiles="20"', 'devErrorsEnabled="true"', 'enableXFF="false"', 'recycleSignalEnabled="false"', 'idlePageOutTimePeriod="0"']) {
    assert.ok(all.includes(attribute), `${attribute} in ${all}`);
  }
  const refused = await run('set', 'config', '/section:system.webServer/iisnode', '/maxLogFiles:many');
  assert.notEqual(refused.code, 0);
  assert.match(refused.stdout + refused.stderr, /Not a valid unsigned integer/);
});
