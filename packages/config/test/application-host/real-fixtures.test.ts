// Every real applicationHost.config in fixtures/iis-configs loads, with what it declares.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadApplicationHostConfig, type ApplicationHostConfig } from '../../src/index.js';
import { applicationHostFixtures, fixture } from '../helpers/fixtures.js';

const load = (name: string): ApplicationHostConfig => loadApplicationHostConfig(fixture(name), { env: {} });
const bindings = (config: ApplicationHostConfig, site: string) =>
  config.sites.find((s) => s.name === site)!.bindings.map((b) => `${b.protocol}/${b.bindingInformation}`);
const applications = (config: ApplicationHostConfig, site: string) =>
  config.sites.find((s) => s.name === site)!.applications.map((a) => `${a.path} -> ${a.applicationPool}`);

test('there are four real applicationHost.config fixtures and each loads', () => {
  assert.deepEqual(applicationHostFixtures(), [
    'c1982__IIS-SharedGitConfig.config',
    'dorik84__Web-Server-IIS.config',
    'mattgillard__iis-reverse-proxy.config',
    'mlbakerak__WinIRISBuild.config',
  ]);
  for (const name of applicationHostFixtures()) assert.ok(load(name).sites.length > 0, name);
});

test('c1982 IIS-SharedGitConfig: 6 pools with applicationPoolDefaults queueLength 4000, 4 host-header sites', () => {
  const config = load('c1982__IIS-SharedGitConfig.config');
  assert.deepEqual(config.applicationPools.map((p) => p.name), ['DefaultAppPool', '.NET v4.5 Classic', '.NET v4.5', 'redisoncloud.com', 'ikinci.com', 'deneme.com']);
  for (const pool of config.applicationPools) {
    assert.equal(pool.queueLength, 4000);
    assert.equal(pool.enable32BitAppOnWin64, true);
    assert.equal(pool.managedRuntimeVersion, 'v4.0');
  }
  assert.equal(config.applicationPools[1]!.managedPipelineMode, 'Classic');
  assert.equal(config.applicationPools[0]!.processModel.idleTimeout, 20 * 60_000);
  assert.equal(config.applicationPools[3]!.processModel.idleTimeout, 5 * 60_000);
  assert.deepEqual(config.sites.map((s) => `${s.name}#${s.id}`), ['Default Web Site#1', 'redisoncloud.com#4', 'ikinci.com#5', 'deneme.com#6']);
  assert.equal(config.sites[0]!.serverAutoStart, false);
  assert.deepEqual(bindings(config, 'redisoncloud.com'), ['http/*:80:redisoncloud.com', 'http/*:80:www.redisoncloud.com']);
  assert.deepEqual(applications(config, 'ikinci.com'), ['/ -> ikinci.com']);
  assert.deepEqual(applications(config, 'Default Web Site'), ['/ -> DefaultAppPool']);
  const site = config.sites[1]!;
  assert.equal(site.applications[0]!.virtualDirectories[0]!.physicalPath, `${dirname(config.file)}/vhosts/redisoncloud.com/http`);
  assert.equal(site.logFile.directory, `${dirname(config.file)}/vhosts/redisoncloud.com/logs`);
  assert.equal(site.logFile.truncateSize, 1073741823);
  assert.equal(site.limits.connectionTimeout, 120_000);
  assert.deepEqual(config.webLimits.dynamicIdleThreshold, 0);
});

test('dorik84 Web-Server-IIS (CRLF): 4 pools, profile settings from applicationPoolDefaults, an https binding', () => {
  const config = load('dorik84__Web-Server-IIS.config');
  assert.ok(readFileSync(config.file, 'utf8').includes('\r\n'));
  assert.deepEqual(config.applicationPools.map((p) => p.name), ['DefaultAppPool', 'mysite.tbd', '.NET v4.5 Classic', '.NET v4.5']);
  assert.equal(config.applicationPools[1]!.processModel.loadUserProfile, true);
  assert.equal(config.applicationPools[1]!.processModel.setProfileEnvironment, false);
  assert.deepEqual(config.sites.map((s) => `${s.name}#${s.id}`), ['Default Web Site#1', 'mysite.tbd#2']);
  assert.deepEqual(bindings(config, 'mysite.tbd'), ['http/*:80:mysite.tbd', 'https/*:443:mysite.tbd']);
  assert.deepEqual(applications(config, 'mysite.tbd'), ['/ -> mysite.tbd']);
  const https = config.sites[1]!.bindings[1]!;
  assert.deepEqual([https.ip, https.port, https.host, https.sslFlags], ['*', 443, 'mysite.tbd', 0]);
});

test('mattgillard iis-reverse-proxy: default site with http and https on all addresses', () => {
  const config = load('mattgillard__iis-reverse-proxy.config');
  assert.deepEqual(config.applicationPools.map((p) => p.name), ['DefaultAppPool']);
  assert.deepEqual(bindings(config, 'Default Web Site'), ['http/*:80:', 'https/*:443:']);
  assert.deepEqual(applications(config, 'Default Web Site'), ['/ -> DefaultAppPool']);
  assert.ok(config.webServer!.sections['system.webServer/proxy'], 'ARR proxy section kept raw');
});

test('mlbakerak WinIRISBuild: nested applications sharing one folder', () => {
  const config = load('mlbakerak__WinIRISBuild.config');
  assert.deepEqual(applications(config, 'Default Web Site'), [
    '/ -> DefaultAppPool',
    '/csp -> DefaultAppPool',
    '/iris -> DefaultAppPool',
    '/iris/csp -> DefaultAppPool',
    '/iris/isc -> DefaultAppPool',
  ]);
  assert.equal(config.sites[0]!.applications[1]!.virtualDirectories[0]!.physicalPath, `${dirname(config.file)}/IRISSys/csp`);
  assert.deepEqual(config.webServer!.locations.map((l) => l.path), ['Default Web Site/csp', 'Default Web Site/iris/csp', 'Default Web Site/iris/isc']);
});
