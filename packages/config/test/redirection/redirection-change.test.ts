// What an edit of redirection.config asks for, checked whole before was or httpsys applies anything.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readConfigurationRedirection } from '../../src/index.js';
import { redirectionChange } from '../../src/redirection/redirection-change.js';

const root = mkdtempSync(join(tmpdir(), 'was-redirection-'));
after(() => rmSync(root, { recursive: true, force: true }));

const config = (pool: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<configuration>\n  <system.applicationHost>\n    <applicationPools>\n      <add name="${pool}" />\n    </applicationPools>\n    <sites />\n  </system.applicationHost>\n</configuration>\n`;
const redirection = (path: string, extra = '') => `<configuration>\n  <configurationRedirection enabled="true" path="${path}"${extra} />\n</configuration>\n`;

test('redirection.config edits: another folder, polling only, refused edits, and deleted', () => {
  const local = join(root, 'local');
  const shared = join(root, 'shared');
  const other = join(root, 'other');
  for (const folder of [local, shared, other]) mkdirSync(folder);
  const localFile = join(local, 'applicationHost.config');
  writeFileSync(localFile, config('LocalPool'));
  writeFileSync(join(shared, 'applicationHost.config'), config('SharedPool'));
  const redirectionFile = join(local, 'redirection.config');
  writeFileSync(redirectionFile, redirection(shared));
  const current = readConfigurationRedirection(localFile);
  const input = { localFile, configDirectory: local };

  assert.deepEqual(redirectionChange({ ...input, current }), { kind: 'unchanged' });
  writeFileSync(redirectionFile, redirection(shared, ' pollingPeriod="00:00:07"'));
  const polling = redirectionChange({ ...input, current });
  assert.equal(polling.kind, 'polling');
  assert.equal(polling.kind === 'polling' && polling.redirection.pollingPeriodMs, 7_000);

  // A folder without applicationHost.config, then one whose file does not load: refused, naming it.
  writeFileSync(redirectionFile, redirection(other));
  const missing = redirectionChange({ ...input, current });
  assert.equal(missing.kind, 'refused');
  assert.match(missing.kind === 'refused' ? missing.problem : '', /names .*other\/applicationHost\.config, which is not used: .*no such file/);
  writeFileSync(join(other, 'applicationHost.config'), config('OtherPool').replace('<add name="OtherPool"', '<add name="OtherPool" queueLength="lots"'));
  const broken = redirectionChange({ ...input, current });
  assert.equal(broken.kind === 'refused' && broken.error?.file, join(other, 'applicationHost.config'));
  assert.equal(broken.kind === 'refused' && broken.error?.line, 5);

  writeFileSync(join(other, 'applicationHost.config'), config('OtherPool'));
  const moved = redirectionChange({ ...input, current });
  assert.equal(moved.kind, 'redirect');
  assert.equal(moved.kind === 'redirect' && moved.redirection?.sharedFile, join(other, 'applicationHost.config'));
  assert.deepEqual(moved.kind === 'redirect' && moved.config.applicationPools.map((pool) => pool.name), ['OtherPool']);

  // redirection.config itself broken: refused with its own file:line:column.
  writeFileSync(redirectionFile, redirection(other, ' polingPeriod="00:00:05"'));
  const unknown = redirectionChange({ ...input, current });
  assert.equal(unknown.kind === 'refused' && unknown.error?.file, redirectionFile);
  assert.match(unknown.kind === 'refused' ? unknown.problem : '', /redirection\.config:2:\d+: Unrecognized attribute 'polingPeriod'/);

  // Deleted (or disabled): the local file is served.
  unlinkSync(redirectionFile);
  const deleted = redirectionChange({ ...input, current });
  assert.equal(deleted.kind === 'redirect' && deleted.redirection, null);
  assert.deepEqual(deleted.kind === 'redirect' && deleted.config.applicationPools.map((pool) => pool.name), ['LocalPool']);
  assert.deepEqual(redirectionChange({ ...input, current: null }), { kind: 'unchanged' });
});
