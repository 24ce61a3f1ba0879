import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from '@poolhost/common';
import { reportNotHonouredSettings } from '../../src/configuration/not-honoured-settings.js';
import { configWithPools } from '../support/config-fixture.js';

function capturingLogger(lines: Array<{ level: number; msg: string; configWarning?: { line: number; column: number; code: string } }>) {
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return createLogger({ service: 'was', destination });
}

test('each IIS setting poolhost does not honour is logged as a warning with file:line:column, once per setting', () => {
  const lines: Array<{ level: number; msg: string; configWarning?: { line: number; column: number; code: string } }> = [];
  const logger = capturingLogger(lines);
  const first = configWithPools([{ name: 'AppA', attributes: 'managedRuntimeVersion="v4.0"' }]);
  reportNotHonouredSettings(logger, null, first);
  assert.equal(lines.length, 1);
  assert.equal(lines[0]!.level, 40, 'warn');
  assert.equal(lines[0]!.configWarning!.code, 'POOLHOST_CONFIG_NOT_HONOURED');
  assert.match(
    lines[0]!.msg,
    /^\/tmp\/poolhost-test\/applicationHost\.config:\d+:\d+: IIS setting applicationPools\/add@managedRuntimeVersion="v4\.0" is not honoured by poolhost because poolhost loads no \.NET CLR/,
  );
  // A live edit: the same setting (now on another line) is not logged again; a new one is.
  const next = configWithPools([{ name: 'AppB' }, { name: 'AppA', attributes: 'managedRuntimeVersion="v4.0"', children: '<processModel logonType="LogonService" />' }]);
  reportNotHonouredSettings(logger, first, next);
  assert.equal(lines.length, 2);
  assert.match(lines[1]!.msg, /processModel@logonType="LogonService"/);
});
