// redirection.config edited while poolhost runs (IIS re-reads it when it changes): pointed at another
// shared folder, the host serves that folder's applicationHost.config and httpsys takes the farm's files
// (here: ACME answers) from it; a broken edit (an unknown
// attribute, a folder without applicationHost.config, one whose applicationHost.config does not load) is
// logged with file:line:column by was and httpsys alike, and the running configuration keeps serving; deleted, the host serves its local applicationHost.config again.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acmeChallengeDirectory, type ConfigurationState } from '@poolhost/protocol';
import { startPoolhost, type LogLine } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort, httpRequest } from '../support/http.js';
import { waitFor } from '../support/wait.js';
import { askWas } from '../support/runtime-client.js';

const generationOf = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 12);

/** One site on `port` serving the host's own `www` folder. */
const siteConfig = (name: string, port: number) =>
  applicationHostConfig({
    pools: [{ name: `${name}Pool` }],
    sites: [{ name, id: 1, bindings: [`*:${port}:`], applications: [{ path: '/', pool: `${name}Pool`, physicalPath: '%SystemDrive%\\www' }] }],
  }).replaceAll('{{root}}', '%SystemDrive%');

const redirectionTo = (folder: string, extra = '') =>
  `<configuration>\n  <configurationRedirection enabled="true" path="${folder}" pollingPeriod="00:00:01"${extra} />\n</configuration>\n`;

test('redirection.config edited live: another shared folder is served, a broken edit keeps the last good one, deleted the local file is served', async () => {
  const [portA, portB, localPort] = await Promise.all([freePort(), freePort(), freePort()]);
  const sharedA = mkdtempSync(join(tmpdir(), 'poolhost-shared-a-'));
  const sharedB = mkdtempSync(join(tmpdir(), 'poolhost-shared-b-'));
  const empty = mkdtempSync(join(tmpdir(), 'poolhost-shared-empty-'));
  const unloadable = mkdtempSync(join(tmpdir(), 'poolhost-shared-unloadable-'));
  after(() => {
    for (const folder of [sharedA, sharedB, empty, unloadable]) rmSync(folder, { recursive: true, force: true });
  });
  const textA = siteConfig('Alpha', portA);
  const textB = siteConfig('Beta', portB);
  writeFileSync(join(sharedA, 'applicationHost.config'), textA);
  writeFileSync(join(sharedB, 'applicationHost.config'), textB);
  const localText = siteConfig('Local', localPort);

  const poolhost = await startPoolhost({ config: localText, files: { 'redirection.config': redirectionTo(sharedA), 'www/a.txt': 'served' }, waitForPort: portA }, after);
  const redirectionFile = join(poolhost.root, 'redirection.config');
  /** An edit as editors and appcmd make it: a temp file renamed over redirection.config. */
  const saveRedirection = (text: string) => {
    writeFileSync(`${redirectionFile}.tmp`, text);
    renameSync(`${redirectionFile}.tmp`, redirectionFile);
  };
  const serves = async (port: number) => (await httpRequest({ port, path: '/a.txt', timeoutMs: 5_000 }).catch(() => null))?.status === 200;
  const configuration = async (): Promise<{ file: string; state?: ConfigurationState }> => {
    const answer = await askWas(poolhost.runDirectory, { type: 'GetConfigurationFile' });
    return { file: answer.file, ...(answer.configuration ? { state: answer.configuration } : {}) };
  };
  const runs = (generation: string, source: ConfigurationState['source']) => async () => {
    const { state } = await configuration();
    return state?.generation === generation && state.source === source;
  };

  assert.ok(await serves(portA), 'Alpha served from shared folder A');
  assert.ok(await runs(generationOf(textA), 'shared')());

  // Pointed at folder B: B's applicationHost.config is served (Alpha's site removed, Beta's added), and
  // httpsys answers ACME challenges from B's folder (the farm's, as for the SSL store and ticket secret).
  const token = 'farmTokenB0123456789abcdef';
  mkdirSync(acmeChallengeDirectory(sharedB), { recursive: true });
  writeFileSync(join(acmeChallengeDirectory(sharedB), token), 'key-authorization-b');
  saveRedirection(redirectionTo(sharedB));
  await waitFor('Beta served from shared folder B', () => serves(portB), 30_000, 100);
  await waitFor(
    "httpsys answering from B's ACME folder",
    async () => (await httpRequest({ port: portB, path: `/.well-known/acme-challenge/${token}`, timeoutMs: 5_000 }).catch(() => null))?.text === 'key-authorization-b',
    15_000,
    100,
  );
  await waitFor('generation B in force', runs(generationOf(textB), 'shared'), 15_000, 100);
  assert.equal((await configuration()).file, join(sharedB, 'applicationHost.config'), 'appcmd is sent to B');
  assert.equal((await configuration()).state?.sharedFile, join(sharedB, 'applicationHost.config'));
  await waitFor('Alpha no longer served', async () => !(await serves(portA)), 15_000, 100);
  // B's own edits are followed from now on.
  const textB2 = textB.replace('<add name="BetaPool"', '<add name="BetaPool" queueLength="999"');
  assert.notEqual(textB2, textB);
  writeFileSync(join(sharedB, 'applicationHost.config.tmp'), textB2);
  renameSync(join(sharedB, 'applicationHost.config.tmp'), join(sharedB, 'applicationHost.config'));
  await waitFor('the edit of B in force', runs(generationOf(textB2), 'shared'), 15_000, 100);

  // A broken edit: an unknown attribute. Logged with redirection.config:line:column; B keeps serving.
  const errors = (service = 'was'): LogLine[] => poolhost.logLines.filter((line) => line.service === service && /redirection\.config' could not be applied/.test(String(line.msg)));
  saveRedirection(redirectionTo(sharedA, ' polingPeriod="00:00:05"'));
  // By both readers of redirection.config: was (for applicationHost.config) and httpsys (for the farm's files).
  await waitFor('the broken redirection.config to be reported', () => errors().length === 1 && errors('httpsys').length === 1, 15_000, 50);
  assert.match(String(errors('httpsys')[0]!.msg), new RegExp(`redirection\\.config:2:\\d+: Unrecognized attribute 'polingPeriod'`));
  const broken = errors()[0]!;
  const position = broken.configError as { file: string; line: number; column: number };
  assert.equal(position.file, redirectionFile);
  const column = redirectionTo(sharedA, ' polingPeriod="00:00:05"').split('\n')[1]!.indexOf('polingPeriod') + 1;
  assert.deepEqual([position.line, position.column], [2, column], 'the unknown attribute');
  assert.match(String(broken.msg), /last known good/);
  assert.match(String(broken.msg), new RegExp(`redirection\\.config:2:${column}: Unrecognized attribute 'polingPeriod'`));
  // A folder without applicationHost.config: refused too, naming it.
  saveRedirection(redirectionTo(empty));
  await waitFor('the empty shared folder to be refused', () => errors().length === 2 && errors('httpsys').length === 2, 15_000, 50);
  for (const service of ['was', 'httpsys']) {
    assert.match(String(errors(service)[1]!.msg), new RegExp(`names ${join(empty, 'applicationHost.config')}, which is not used: .*no such file`));
  }
  // A folder whose applicationHost.config is there but does not load: refused by both, at its line:column,
  // and httpsys does not move its farm files there either (it has ACME answers of its own).
  const unloadableText = siteConfig('Gamma', portA).replace('<add name="GammaPool"', '<add name="GammaPool" queueLength="lots"');
  writeFileSync(join(unloadable, 'applicationHost.config'), unloadableText);
  mkdirSync(acmeChallengeDirectory(unloadable), { recursive: true });
  writeFileSync(join(acmeChallengeDirectory(unloadable), token), 'key-authorization-unloadable');
  saveRedirection(redirectionTo(unloadable));
  await waitFor('the unloadable shared folder to be refused', () => errors().length === 3 && errors('httpsys').length === 3, 15_000, 50);
  const badLine = unloadableText.split('\n').findIndex((line) => line.includes('queueLength="lots"'));
  for (const service of ['was', 'httpsys']) {
    const refusal = errors(service)[2]!;
    assert.match(String(refusal.msg), new RegExp(`names ${join(unloadable, 'applicationHost.config')}, which does not load: .*queueLength`), service);
    const where = refusal.configError as { file: string; line: number; column: number };
    assert.deepEqual(
      [where.file, where.line, where.column],
      [join(unloadable, 'applicationHost.config'), badLine + 1, unloadableText.split('\n')[badLine]!.indexOf('queueLength') + 1],
      service,
    );
  }
  // httpsys keeps B's files.
  assert.equal((await httpRequest({ port: portB, path: `/.well-known/acme-challenge/${token}` })).text, 'key-authorization-b');
  assert.ok(await serves(portB), 'Beta still served');
  assert.ok(await runs(generationOf(textB2), 'shared')(), 'B still in force');
  assert.equal(await serves(portA), false);

  // redirection.config deleted: the local applicationHost.config is served.
  unlinkSync(redirectionFile);
  await waitFor('the local site served', () => serves(localPort), 30_000, 100);
  await waitFor('the local generation in force', runs(generationOf(localText), 'local'), 15_000, 100);
  assert.equal((await configuration()).file, poolhost.configFile);
  await waitFor('Beta no longer served', async () => !(await serves(portB)), 15_000, 100);
});
