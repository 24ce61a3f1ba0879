import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../src/index.js';
import { parseConfigurationRedirection, readConfigurationRedirection } from '../../src/redirection/redirection-config.js';

const FILE = '/etc/poolhost/redirection.config';
const parse = (text: string, env: NodeJS.ProcessEnv = {}) => parseConfigurationRedirection(text, FILE, env);
const redirection = (attributes: string) => `<configuration>\n  <configurationRedirection ${attributes} />\n</configuration>\n`;
/** 1-based column of `name` on line 2 of redirection(attributes). */
const columnOf = (attributes: string, name: string) => redirection(attributes).split('\n')[1]!.indexOf(`${name}=`) + 1;

function issuesOf(text: string): ConfigError {
  try {
    parse(text);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error;
  }
  assert.fail('the file was accepted');
}

test('an enabled redirection names the shared applicationHost.config and its polling period', () => {
  const parsed = parse(redirection('enabled="true" path="/shared/folder" pollingPeriod="00:00:05" enableUncPolling="false"'));
  assert.deepEqual(parsed, {
    file: FILE,
    path: '/shared/folder',
    sharedFile: '/shared/folder/applicationHost.config',
    pollingPeriodMs: 5_000,
    enableUncPolling: false,
  });
});

test("IIS's defaults: polling every three minutes; not enabled means no redirection", () => {
  assert.equal(parse(redirection('enabled="true" path="/shared"'))?.pollingPeriodMs, 180_000);
  assert.equal(parse(redirection('enabled="false" path="/shared"')), null);
  assert.equal(parse(redirection('path="/shared"')), null);
  assert.equal(parse('<configuration />'), null);
});

test("IIS's file shape (configSections, empty credentials) loads; variables expand; a relative path is the redirection file's folder's", () => {
  const iis = `<configuration>
  <configSections>
    <section name="configurationRedirection" />
  </configSections>
  <configurationRedirection enabled="true" path="%FARM%/config" userName="" password="" enableUncPolling="TRUE" />
</configuration>`;
  const parsed = parse(iis, { FARM: '/mnt/farm' });
  assert.equal(parsed?.sharedFile, '/mnt/farm/config/applicationHost.config');
  assert.equal(parsed?.enableUncPolling, true);
  assert.equal(parse(redirection('enabled="true" path="../shared"'))?.path, '/etc/shared');
});

test('an unknown attribute is refused at its line and column', () => {
  const attributes = 'enabled="true" path="/shared" pollingPeriods="00:00:05"';
  const error = issuesOf(redirection(attributes));
  assert.equal(error.code, 'POOLHOST_CONFIG_UNKNOWN_ATTRIBUTE');
  assert.equal(error.file, FILE);
  assert.equal(error.line, 2);
  assert.equal(error.column, columnOf(attributes, 'pollingPeriods'));
  assert.match(error.message, /pollingPeriods/);
});

test('userName and password are refused: the share is mounted by the system, poolhost holds no credentials', () => {
  const attributes = 'enabled="true" path="/shared" userName="CONTOSO\\farm" password="[enc:IISRsaProvider:abc:enc]"';
  const error = issuesOf(redirection(attributes));
  assert.deepEqual(
    error.issues.map((issue) => [issue.code, issue.column]),
    [
      ['POOLHOST_CONFIG_REDIRECTION_CREDENTIALS', columnOf(attributes, 'userName')],
      ['POOLHOST_CONFIG_REDIRECTION_CREDENTIALS', columnOf(attributes, 'password')],
    ],
  );
  assert.match(error.hint, /mount -t cifs/);
});

test('a UNC path, a drive path, an empty path, a bad value and an unknown element are refused', () => {
  assert.equal(issuesOf(redirection('enabled="true" path="\\\\server\\share$"')).code, 'POOLHOST_CONFIG_REDIRECTION_PATH');
  assert.match(issuesOf(redirection('enabled="true" path="C:\\shared"')).message, /Windows drive path/);
  assert.match(issuesOf(redirection('enabled="true"')).message, /is empty/);
  assert.equal(issuesOf(redirection('enabled="yes" path="/shared"')).code, 'POOLHOST_CONFIG_NOT_BOOLEAN');
  assert.equal(issuesOf(redirection('enabled="true" path="/shared" pollingPeriod="00:00:00"')).code, 'POOLHOST_CONFIG_TIMESPAN_OUT_OF_RANGE');
  assert.equal(issuesOf('<configuration><configProtectedData /></configuration>').code, 'POOLHOST_CONFIG_REDIRECTION_UNKNOWN_ELEMENT');
  assert.equal(issuesOf('<configuration><configurationRedirection enabled="true"').code, 'POOLHOST_CONFIG_XML_MALFORMED');
});

test('readConfigurationRedirection looks beside the local applicationHost.config', (t) => {
  const folder = mkdtempSync(join(tmpdir(), 'poolhost-redirection-'));
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  const local = join(folder, 'applicationHost.config');
  assert.equal(readConfigurationRedirection(local), null);
  writeFileSync(join(folder, 'redirection.config'), redirection('enabled="true" path="/shared"'));
  assert.equal(readConfigurationRedirection(local)?.sharedFile, '/shared/applicationHost.config');
});
