import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { join } from 'node:path';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createLogger } from '@poolhost/common';
import { EffectiveConfigCache, getEffectiveWebServerConfig, parseApplicationHostConfig } from '@poolhost/config';
import { logNotHonoured } from '../../src/configuration/not-honoured-settings.js';

test("a web.config setting poolhost does not honour is logged once, as a warning with the file's line and column", () => {
  const root = mkdtempSync(join(tmpdir(), 'poolhost-worker-'));
  mkdirSync(join(root, 'www'));
  writeFileSync(join(root, 'www', 'web.config'), '<configuration>\n  <system.webServer>\n    <staticContent enableDocFooter="true" />\n  </system.webServer>\n</configuration>\n');
  const host = parseApplicationHostConfig(
    `<configuration><system.applicationHost><applicationPools><add name="P" /></applicationPools><sites><site name="S" id="1"><application path="/" applicationPool="P"><virtualDirectory path="/" physicalPath="${root}/www" /></application><bindings><binding protocol="http" bindingInformation="*:80:" /></bindings></site></sites></system.applicationHost></configuration>`,
    join(root, 'applicationHost.config'),
  );
  const lines: Array<{ level: number; msg: string }> = [];
  const logger = createLogger({ service: 'w3wp', destination: new Writable({ write: (chunk, _encoding, done) => (lines.push(JSON.parse(String(chunk))), done()) }) });
  const cache = new EffectiveConfigCache();
  for (const path of ['/', '/a/', '/b/']) logNotHonoured(logger, getEffectiveWebServerConfig(host, 'S', path, { cache }).warnings);
  assert.equal(lines.length, 1);
  assert.equal(lines[0]!.level, 40);
  assert.equal(
    lines[0]!.msg.split(' Fix:')[0],
    `${join(root, 'www', 'web.config')}:3:20: IIS setting staticContent@enableDocFooter="true" is not honoured by poolhost because the static file handler appends no document footer.`,
  );
});
