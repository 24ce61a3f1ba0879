// httpsys follows redirection.config while it runs: an edit naming another shared folder moves the SSL
// store, the TLS session ticket secret and the ACME answers there; a refused edit (redirection.config
// broken, or naming a folder whose applicationHost.config is missing or does not load) is logged with
// file:line:column and changes nothing; deleted, httpsys keeps to its own files.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { readConfigurationRedirection, type ConfigurationRedirection } from '@poolhost/config';
import { acmeChallengeDirectory } from '@poolhost/protocol';
import { RedirectionWatch } from '../../src/shared-configuration/redirection-watch.js';
import { Harness, request, until } from '../integration/harness.js';

const root = mkdtempSync(join(tmpdir(), 'httpsys-redirection-'));
const local = join(root, 'local');
const sharedA = join(root, 'shared-a');
const sharedB = join(root, 'shared-b');
const empty = join(root, 'empty');
const broken = join(root, 'broken');
for (const folder of [local, sharedA, sharedB, empty, broken]) mkdirSync(folder);
const applicationHost = (attribute = '') =>
  `<configuration>\n  <system.applicationHost>\n    <applicationPools>\n      <add name="FarmPool"${attribute} />\n    </applicationPools>\n    <sites />\n  </system.applicationHost>\n</configuration>\n`;
for (const folder of [local, sharedA, sharedB]) writeFileSync(join(folder, 'applicationHost.config'), applicationHost());
// Present, but was would refuse it: httpsys must not move its SSL store there either.
writeFileSync(join(broken, 'applicationHost.config'), applicationHost(' queueLength="lots"'));
const localConfigFile = join(local, 'applicationHost.config');
const redirectionFile = join(local, 'redirection.config');
const redirectionTo = (folder: string, extra = '') => `<configuration>\n  <configurationRedirection enabled="true" path="${folder}" pollingPeriod="00:00:01"${extra} />\n</configuration>\n`;
/** As editors and appcmd save: a temp file renamed over redirection.config. */
function saveRedirection(text: string): void {
  writeFileSync(`${redirectionFile}.tmp`, text);
  renameSync(`${redirectionFile}.tmp`, redirectionFile);
}
after(() => rmSync(root, { recursive: true, force: true }));

test('RedirectionWatch: a change is read once; refused edits are logged with file:line:column and return nothing', () => {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'info' }, new Writable({ write: (chunk: Buffer, _encoding, done) => void (lines.push(JSON.parse(chunk.toString())), done()) }));
  saveRedirection(redirectionTo(sharedA));
  const watch = new RedirectionWatch(localConfigFile, readConfigurationRedirection(localConfigFile), logger);
  assert.equal(watch.poll(), undefined, 'unchanged since it was read');

  // Same length, another folder: the text is compared, not the size or the time.
  saveRedirection(redirectionTo(sharedB));
  assert.equal(watch.poll()?.redirection?.path, sharedB);
  assert.equal(watch.poll(), undefined);

  saveRedirection(redirectionTo(sharedA, ' polingPeriod="00:00:05"'));
  assert.equal(watch.poll(), undefined);
  const column = redirectionTo(sharedA, ' polingPeriod="00:00:05"').split('\n')[1]!.indexOf('polingPeriod') + 1;
  assert.deepEqual(lines.at(-1)!.configError, { file: redirectionFile, line: 2, column, code: (lines.at(-1)!.configError as { code: string }).code });
  assert.match(String(lines.at(-1)!.msg), new RegExp(`redirection\\.config:2:${column}: Unrecognized attribute 'polingPeriod'.*`));
  assert.match(String(lines.at(-1)!.msg), /last known good/);

  saveRedirection(redirectionTo(empty));
  assert.equal(watch.poll(), undefined);
  assert.match(String(lines.at(-1)!.msg), new RegExp(`names ${join(empty, 'applicationHost.config')}, which is not used: .*no such file`));

  saveRedirection(redirectionTo(broken));
  assert.equal(watch.poll(), undefined);
  const brokenFile = join(broken, 'applicationHost.config');
  assert.deepEqual(lines.at(-1)!.configError, {
    file: brokenFile,
    line: 4,
    column: applicationHost(' queueLength="lots"').split('\n')[3]!.indexOf('queueLength') + 1,
    code: (lines.at(-1)!.configError as { code: string }).code,
  });
  assert.match(String(lines.at(-1)!.msg), new RegExp(`names ${brokenFile}, which does not load: .*queueLength`));
  assert.equal(lines.length, 3);

  // Back to the folder in force: nothing to move, nothing logged.
  saveRedirection(redirectionTo(sharedB));
  assert.equal(watch.poll(), undefined);
  assert.equal(lines.length, 3);

  unlinkSync(redirectionFile);
  assert.deepEqual(watch.poll(), { redirection: null });
});

const httpSysLines: Array<Record<string, unknown>> = [];
/** What main.ts passes: the redirection it read as httpsys started (set below, once redirection.config is written). */
const follow: { localConfigFile: string; sslStoreFollows: boolean; inForce: ConfigurationRedirection | null } = { localConfigFile, sslStoreFollows: true, inForce: null };
const harness = new Harness([{ name: 'FarmPool', files: {} }], {}, 120_000, {
  logger: pino({ level: 'info' }, new Writable({ write: (chunk: Buffer, _encoding, done) => void (httpSysLines.push(JSON.parse(chunk.toString())), done()) })),
  sharedConfiguration: { path: sharedA, cacheFolder: local, pollingPeriodMs: 1_000 },
  followRedirection: follow,
});

test('httpsys answers ACME challenges from the shared folder redirection.config names now', async () => {
  saveRedirection(redirectionTo(sharedA));
  follow.inForce = readConfigurationRedirection(localConfigFile);
  await harness.start();
  after(() => harness.stop());
  const token = 'tokenTOKENtoken0123456789';
  for (const [folder, answer] of [[sharedA, 'from-a'], [sharedB, 'from-b']] as const) {
    mkdirSync(acmeChallengeDirectory(folder), { recursive: true });
    writeFileSync(join(acmeChallengeDirectory(folder), token), answer);
  }
  const challenge = async () => (await request(harness.port, `/.well-known/acme-challenge/${token}`)).body.toString();
  assert.equal(await challenge(), 'from-a');
  assert.equal(harness.httpSys.sharedFolder, sharedA);

  saveRedirection(redirectionTo(sharedB));
  await until('the answers of shared folder B', async () => (await challenge()) === 'from-b');
  assert.equal(harness.httpSys.sharedFolder, sharedB);

  // Refused edits, each seen and logged: B stays.
  const refusals = () => httpSysLines.filter((line) => /redirection\.config' could not be applied/.test(String(line.msg))).length;
  saveRedirection(redirectionTo(sharedA, ' polingPeriod="00:00:05"'));
  await until('the broken edit refused', () => refusals() === 1);
  saveRedirection(redirectionTo(empty));
  await until('the empty folder refused', () => refusals() === 2);
  assert.equal(harness.httpSys.sharedFolder, sharedB);
  assert.equal(await challenge(), 'from-b');

  // Deleted: httpsys' own files only (a token of the shared folder would go on to the site, whose
  // request waits for a worker this test has not started).
  unlinkSync(redirectionFile);
  await until('no shared folder', () => harness.httpSys.sharedFolder === null);
});
