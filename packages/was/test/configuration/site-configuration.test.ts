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

// Protocol-neutral: each adapter gets its own protocol's bindings and the applications that enable it.
test('the net.tcp adapter gets the net.tcp bindings and the applications whose enabledProtocols list net.tcp; http gets the rest', () => {
  const config = configWithPools([{ name: 'AppA' }, { name: 'Tcp' }], {
    extraSites: `      <site name="Both" id="3">
        <application path="/" applicationPool="Tcp" enabledProtocols="http,net.tcp"><virtualDirectory path="/" physicalPath="/tmp" /></application>
        <application path="/web" applicationPool="AppA"><virtualDirectory path="/" physicalPath="/tmp" /></application>
        <bindings><binding protocol="http" bindingInformation="*:8082:" /><binding protocol="net.tcp" bindingInformation="808:*" /></bindings>
      </site>`,
  });
  const tcp = buildSiteConfiguration(config, [], 'net.tcp');
  assert.equal(tcp.protocol, 'net.tcp');
  const both = tcp.sites.find((site) => site.name === 'Both')!;
  assert.deepEqual(both.bindings.map((binding) => [binding.protocol, binding.port, binding.ip]), [['net.tcp', 808, '*']]);
  assert.deepEqual(both.applications, [{ path: '/', applicationPool: 'Tcp' }]);
  assert.deepEqual(tcp.sites.find((site) => site.name === 'Default Web Site')!.bindings, []);
  const http = buildSiteConfiguration(config, []);
  assert.equal(http.protocol, 'http');
  const httpBoth = http.sites.find((site) => site.name === 'Both')!;
  assert.deepEqual(httpBoth.bindings.map((binding) => binding.protocol), ['http']);
  assert.deepEqual(httpBoth.applications.map((application) => application.path), ['/', '/web']);
});
