// Shared configuration, IIS's way and sturdier: two poolhost hosts (the second in its own network
// namespace, so both bind the same site port as two machines of a farm would), each with a local
// folder holding a redirection.config that points at ONE shared folder. An appcmd edit on host 1 is
// served by both within the polling period, both on the same generation; the shared folder renamed
// away, both keep serving; host 2 restarted in that state comes up on its cached copy; the folder
// back, both take the shared file again; appcmd on host 2 edits the same shared file.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConfigurationState, ServerStatus } from '@poolhost/protocol';
import { startPoolhost, type PoolhostInstance } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort, httpRequest } from '../support/http.js';
import { waitFor } from '../support/wait.js';
import { createNetworkNamespace } from '../support/network-namespace.js';
import { parseMetrics, sampleValue } from '../support/prometheus-text.js';
import { appcmd } from '../appcmd/appcmd-process.js';
import { askWas } from '../support/runtime-client.js';

const generationOf = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 12);

test('two hosts on one shared configuration: edits reach both, the share may go away, a restart comes up on the cached copy', async () => {
  const [shopPort, blogPort, admin1, admin2] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const shared = mkdtempSync(join(tmpdir(), 'poolhost-shared-'));
  const away = `${shared}.away`;
  after(() => {
    rmSync(shared, { recursive: true, force: true });
    rmSync(away, { recursive: true, force: true });
  });
  const sharedFile = join(shared, 'applicationHost.config');
  // %SystemDrive% is each host's own folder: content and logs stay local, as on an IIS farm.
  const sharedText = applicationHostConfig({
    pools: [{ name: 'DefaultAppPool' }],
    sites: [{ name: 'Shop', id: 1, bindings: [`*:${shopPort}:`], applications: [{ path: '/', physicalPath: '%SystemDrive%\\www' }] }],
  }).replaceAll('{{root}}', '%SystemDrive%');
  writeFileSync(sharedFile, sharedText);
  const host = (name: string) => ({
    // The local applicationHost.config is not read while redirection.config is enabled.
    config: applicationHostConfig({ pools: [{ name: 'LocalOnly' }], sites: [] }),
    files: {
      'redirection.config': `<configuration>\n  <configurationRedirection enabled="true" path="${shared}" pollingPeriod="00:00:01" enableUncPolling="false" />\n</configuration>\n`,
      'www/host.txt': name,
    },
  });

  const host1 = await startPoolhost({ ...host('host1'), args: ['--metrics', `127.0.0.1:${admin1}`], waitForPort: shopPort }, after);
  const namespace = createNetworkNamespace();
  after(() => namespace.remove());
  const host2 = await startPoolhost({ ...host('host2'), commandPrefix: namespace.commandPrefix, args: ['--metrics', `${namespace.address}:${admin2}`, '--metrics-remote'] }, after);

  const hosts: Array<{ instance: PoolhostInstance; name: string; address: string; admin: number }> = [
    { instance: host1, name: 'host1', address: '127.0.0.1', admin: admin1 },
    { instance: host2, name: 'host2', address: namespace.address, admin: admin2 },
  ];
  const serves = async (entry: (typeof hosts)[number], port: number) => {
    const response = await httpRequest({ address: entry.address, port, path: '/host.txt', timeoutMs: 5_000 }).catch(() => null);
    return response?.status === 200 && response.text === entry.name;
  };
  /** What was answers `poolhost status` with (asked directly: a CLI process per poll would load the machine). */
  const configurationOf = async (entry: (typeof hosts)[number]): Promise<ConfigurationState | undefined> =>
    (await askWas(entry.instance.runDirectory, { type: 'GetConfigurationFile' }).catch(() => undefined))?.configuration;
  const everyHost = (what: string, condition: (entry: (typeof hosts)[number]) => Promise<boolean>, timeoutMs = 20_000) =>
    Promise.all(hosts.map((entry) => waitFor(`${entry.name}: ${what}`, () => condition(entry), timeoutMs, 200)));
  const onGeneration = (generation: string, source: ConfigurationState['source']) => async (entry: (typeof hosts)[number]) => {
    const configuration = await configurationOf(entry);
    return configuration?.generation === generation && configuration.source === source;
  };

  // Both serve the shared file's site (the local file has none), on the same generation.
  await everyHost('serves Shop from the shared configuration', (entry) => serves(entry, shopPort), 45_000);
  await everyHost('runs the shared generation', onGeneration(generationOf(sharedText), 'shared'));
  const status1 = await host1.cli('status');
  assert.match(status1.stdout, new RegExp(`configuration: generation ${generationOf(sharedText)} \\(shared ${sharedFile}`));

  // appcmd on host 1 (it asks host 1's was which file it serves, and follows redirection.config) edits the shared file.
  const onHost1 = { env: { POOLHOST_RUN_DIR: host1.runDirectory } };
  for (const args of [
    ['add', 'apppool', '/name:Blog'],
    ['add', 'site', '/name:Blog', '/id:2', `/bindings:http/*:${blogPort}:`, '/physicalPath:%SystemDrive%\\www', '/applicationDefaults.applicationPool:Blog'],
  ]) {
    const added = await appcmd(args, onHost1);
    assert.equal(added.code, 0, added.stdout + added.stderr);
  }
  const editedText = readFileSync(sharedFile, 'utf8');
  assert.match(editedText, /name="Blog"/);
  const edited = generationOf(editedText);
  await everyHost('serves the Blog site added on host 1', (entry) => serves(entry, blogPort));
  await everyHost('runs the edited generation', onGeneration(edited, 'shared'));
  for (const entry of hosts) {
    const metrics = parseMetrics((await httpRequest({ address: entry.address, port: entry.admin, path: '/metrics' })).text);
    assert.equal(sampleValue(metrics, 'poolhost_configuration_info', { generation: edited, source: 'shared' }), 1, `${entry.name} metrics`);
    const ready = await httpRequest({ address: entry.address, port: entry.admin, path: '/health/ready' });
    assert.equal(ready.headers['x-configuration-generation'], edited, `${entry.name} /health/ready`);
    assert.equal(ready.headers['x-configuration-source'], 'shared');
  }

  // The shared folder goes away: both keep serving their last good configuration, and say so.
  renameSync(shared, away);
  await everyHost('reports the shared configuration unusable', onGeneration(edited, 'cached'));
  for (const entry of hosts) {
    const configuration = await configurationOf(entry);
    assert.match(configuration?.problem ?? '', /cannot be read: no such file/);
    assert.ok(await serves(entry, shopPort), `${entry.name} still serves Shop`);
    assert.ok(await serves(entry, blogPort), `${entry.name} still serves Blog`);
    await entry.instance.waitForEvent(5302);
  }
  const editWhileAway = await appcmd(['add', 'apppool', '/name:Other'], onHost1);
  assert.notEqual(editWhileAway.code, 0, 'appcmd never edits the cached copy');

  // Host 2 restarted while the share is unreachable comes up on its cached copy (IIS would stay down).
  await host2.stop();
  await host2.start();
  await waitFor('host2 to serve Blog from its cached copy', () => serves(hosts[1]!, blogPort), 45_000, 100);
  assert.match(host2.stderr, /starting on the cached copy of the shared configuration \(generation [0-9a-f]{12}\)/);
  const restarted = JSON.parse((await host2.cli('status', '--json')).stdout) as ServerStatus;
  assert.equal(restarted.configuration?.source, 'cached');
  assert.equal(restarted.configuration?.generation, edited);

  // The folder comes back: both take the shared file again.
  renameSync(away, shared);
  await everyHost('takes the shared configuration again', onGeneration(edited, 'shared'));
  for (const entry of hosts) await entry.instance.waitForEvent(5303);

  // appcmd on host 2 (named by its local file) edits the same shared file; host 1 follows.
  const removed = await appcmd(['delete', 'site', 'Blog'], { env: { POOLHOST_CONFIG: host2.configFile } });
  assert.equal(removed.code, 0, removed.stdout + removed.stderr);
  const afterDelete = generationOf(readFileSync(sharedFile, 'utf8'));
  await everyHost('no longer serves Blog', async (entry) => !(await serves(entry, blogPort)));
  await everyHost('runs the generation edited on host 2', onGeneration(afterDelete, 'shared'));
});
