import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ConfigError,
  configurationGeneration,
  loadServedConfiguration,
  readSharedConfigurationCache,
  SharedConfigurationUnavailableError,
  sharedConfigurationCachePath,
  writeSharedConfigurationCache,
} from '../../src/index.js';
import { applicationHost, writeTree } from '../helpers/fixtures.js';

const pool = (name: string) => `<add name="${name}" />`;
const site = `<site name="Shop" id="1"><application path="/" applicationPool="Shop"><virtualDirectory path="/" physicalPath="%SystemDrive%\\inetpub\\shop" /></application><bindings><binding protocol="http" bindingInformation="*:8080:" /></bindings></site>`;
const sharedText = (poolName: string) => applicationHost({ pools: pool(poolName), sites: site });

/** A host folder with its own applicationHost.config and a redirection.config pointing at a shared folder. */
function farm(t: { after(fn: () => void): void }) {
  const root = writeTree({
    'host/applicationHost.config': applicationHost({ pools: pool('LocalOnly') }),
    'host/redirection.config': '<configuration><configurationRedirection enabled="true" path="../shared" pollingPeriod="00:00:05" /></configuration>',
    'shared/applicationHost.config': sharedText('Shop'),
  });
  t.after(() => rmSync(root, { recursive: true, force: true }));
  return { root, local: join(root, 'host/applicationHost.config'), shared: join(root, 'shared/applicationHost.config') };
}

test('the generation is the first 12 hex digits of the SHA-256 of the UTF-8 text', () => {
  const text = sharedText('Shop');
  assert.equal(configurationGeneration(text), createHash('sha256').update(Buffer.from(text, 'utf8')).digest('hex').slice(0, 12));
  assert.match(configurationGeneration(text), /^[0-9a-f]{12}$/);
  assert.notEqual(configurationGeneration(sharedText('Blog')), configurationGeneration(text));
});

test('without redirection.config the local file is served', (t) => {
  const root = writeTree({ 'applicationHost.config': applicationHost({ pools: pool('LocalOnly') }) });
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const served = loadServedConfiguration(join(root, 'applicationHost.config'), { env: {} });
  assert.equal(served.source, 'local');
  assert.equal(served.redirection, null);
  assert.deepEqual(served.config.applicationPools.map((p) => p.name), ['LocalOnly']);
});

test("an enabled redirection serves the shared file; paths map to each host's own folder", (t) => {
  const { root, local, shared } = farm(t);
  const served = loadServedConfiguration(local, { env: {} });
  assert.equal(served.source, 'shared');
  assert.equal(served.config.file, shared);
  assert.deepEqual(served.config.applicationPools.map((p) => p.name), ['Shop']);
  assert.equal(served.config.sites[0]!.applications[0]!.virtualDirectories[0]!.physicalPath, join(root, 'host/inetpub/shop'));
  assert.equal(served.generation, configurationGeneration(sharedText('Shop')));
  // Loading does not write the cache; was writes it once it applied the configuration.
  assert.equal(readSharedConfigurationCache(served.redirection!), null);
});

test('no cached copy yet and the share gone: the error says both', (t) => {
  const { root, local } = farm(t);
  renameSync(join(root, 'shared'), join(root, 'shared.away'));
  assert.throws(
    () => loadServedConfiguration(local, { env: {} }),
    (error: unknown) => error instanceof SharedConfigurationUnavailableError && /no such file/.test(error.message) && /no cached copy/.test(error.message),
  );
});

test('the share gone or the shared file broken: the cached copy is served, with the reason', (t) => {
  const { root, local, shared } = farm(t);
  const first = loadServedConfiguration(local, { env: {} });
  assert.equal(writeSharedConfigurationCache(first.redirection!, first.text), true);
  assert.equal(writeSharedConfigurationCache(first.redirection!, first.text), false, 'an unchanged copy is not rewritten');
  assert.equal(readFileSync(sharedConfigurationCachePath(first.redirection!), 'utf8'), first.text);

  renameSync(join(root, 'shared'), join(root, 'shared.away'));
  const away = loadServedConfiguration(local, { env: {} });
  assert.equal(away.source, 'cached');
  assert.equal(away.generation, first.generation);
  assert.match(away.problem!, /shared\/applicationHost\.config cannot be read: no such file/);
  assert.deepEqual(away.config.applicationPools.map((p) => p.name), ['Shop']);

  renameSync(join(root, 'shared.away'), join(root, 'shared'));
  writeFileSync(shared, sharedText('Shop').replace('<add name="Shop" />', '<add name="Shop" queueLength="5" />'));
  const broken = loadServedConfiguration(local, { env: {} });
  assert.equal(broken.source, 'cached');
  assert.match(broken.problem!, /it does not load: .*applicationHost\.config:\d+:\d+: queueLength="5" is out of range/);

  writeFileSync(shared, sharedText('Blog'));
  const back = loadServedConfiguration(local, { env: {} });
  assert.equal(back.source, 'shared');
  assert.deepEqual(back.config.applicationPools.map((p) => p.name), ['Blog']);
});

test('a broken redirection.config is an error of its own, never a silent fall back to the local file', (t) => {
  const { root, local } = farm(t);
  writeFileSync(join(root, 'host/redirection.config'), '<configuration><configurationRedirection enabled="true" path="/x" polingPeriod="1" /></configuration>');
  assert.throws(() => loadServedConfiguration(local, { env: {} }), (error: unknown) => error instanceof ConfigError && error.file.endsWith('redirection.config'));
  assert.equal(existsSync(join(root, 'host/applicationHost.shared-cache.config')), false);
});
