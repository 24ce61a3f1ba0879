import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSiteConfiguration } from '../../src/configuration/site-configuration.js';
import { configWithPools } from '../support/config-fixture.js';

test('sites, applications and one request queue per pool go to w3svc', () => {
  const config = configWithPools([{ name: 'AppA', attributes: 'queueLength="50"', children: '<processModel maxProcesses="0" />' }, { name: 'AppB' }]);
  const message = buildSiteConfiguration(config, [{ applicationPool: 'AppA', enabled: true }]);
  assert.equal(message.type, 'ApplySiteConfiguration');
  assert.deepEqual(message.sites.map((site) => [site.id, site.name, site.serverAutoStart]), [
    [1, 'Default Web Site', true],
    [2, 'Second', false],
  ]);
  assert.deepEqual(message.sites[0]!.applications, [
    { path: '/', applicationPool: 'AppA' },
    { path: '/appb', applicationPool: 'AppB' },
  ]);
  assert.deepEqual(message.sites[1]!.bindings[0], { protocol: 'http', bindingInformation: '127.0.0.1:8081:second.example', ip: '127.0.0.1', port: 8081, host: 'second.example', sslFlags: 0 });
  assert.deepEqual(message.requestQueues[0], { applicationPool: 'AppA', queueLength: 50, loadBalancerCapabilities: 'HttpLevel', maxProcesses: 1 });
  assert.deepEqual(message.queueStates, [{ applicationPool: 'AppA', enabled: true }]);
});
