import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseApplicationHostConfig } from '@poolhost/config';
import { administrationAddressOf, checkAdministrationAddress, farmHealthOf } from '../../src/commands/administration-option.js';

const config = parseApplicationHostConfig(
  `<configuration><system.applicationHost>
    <applicationPools><add name="P" /></applicationPools>
    <sites><site name="Shop" id="1">
      <application path="/" applicationPool="P"><virtualDirectory path="/" physicalPath="/srv" /></application>
      <bindings><binding protocol="http" bindingInformation="*:8080:" /><binding protocol="http" bindingInformation="127.0.0.2:9000:" /></bindings>
    </site></sites>
  </system.applicationHost></configuration>`,
  '/etc/applicationHost.config',
);

test('--metrics takes a loopback IP:port', () => {
  assert.deepEqual(checkAdministrationAddress('127.0.0.1:9182', false, config), { host: '127.0.0.1', port: 9182 });
  assert.deepEqual(checkAdministrationAddress('[::1]:9182', false, config), { host: '::1', port: 9182 });
  assert.throws(() => checkAdministrationAddress('localhost:9182', false, config), /is not an administration address: give IP:port/);
  assert.throws(() => checkAdministrationAddress('127.0.0.1', false, config), /give IP:port/);
});

test('--metrics refuses a non-loopback address unless --metrics-remote', () => {
  assert.throws(() => checkAdministrationAddress('0.0.0.0:9182', false, config), /not a loopback address.*--metrics-remote/);
  assert.deepEqual(checkAdministrationAddress('10.1.2.3:9182', true, config), { host: '10.1.2.3', port: 9182 });
});

test('--metrics never shares a site binding', () => {
  assert.throws(() => checkAdministrationAddress('127.0.0.1:8080', false, config), /endpoint of site 'Shop' \(binding \*:8080:\)/);
  assert.throws(() => checkAdministrationAddress('127.0.0.2:9000', false, config), /binding 127\.0\.0\.2:9000:/);
  assert.deepEqual(checkAdministrationAddress('127.0.0.1:9000', false, config), { host: '127.0.0.1', port: 9000 });
});

test('without --metrics, system.applicationHost/webManagement names the address; port 0 or no element: not started', () => {
  const withElement = (element: string) =>
    parseApplicationHostConfig(
      `<configuration><system.applicationHost>
        <applicationPools><add name="P" /></applicationPools>
        <sites><site name="Shop" id="1"><bindings><binding protocol="http" bindingInformation="*:8080:" /></bindings></site></sites>
        ${element}
      </system.applicationHost></configuration>`,
      '/etc/applicationHost.config',
    );
  assert.equal(administrationAddressOf(undefined, false, config), undefined);
  assert.equal(administrationAddressOf(undefined, false, withElement('<webManagement ipAddress="127.0.0.1" />')), undefined);
  assert.deepEqual(administrationAddressOf(undefined, false, withElement('<webManagement port="9182" />')), { host: '127.0.0.1', port: 9182 });
  assert.deepEqual(administrationAddressOf('127.0.0.1:9300', false, withElement('<webManagement port="9182" />')), { host: '127.0.0.1', port: 9300 }, '--metrics wins');
  assert.throws(
    () => administrationAddressOf(undefined, false, withElement('<webManagement ipAddress="10.0.0.5" port="9182" />')),
    /\/etc\/applicationHost\.config: webManagement: 10\.0\.0\.5:9182 is not a loopback address.*enableRemoteManagement="true"/,
  );
  assert.deepEqual(administrationAddressOf(undefined, false, withElement('<webManagement ipAddress="10.0.0.5" port="9182" enableRemoteManagement="true" />')), { host: '10.0.0.5', port: 9182 });
  assert.throws(() => withElement('<webManagement port="70000" />'), /port/);
});

test("webManagement's agentCheckPort: its own port on the administration IP, never a site's; readyQueuePercent 1-100", () => {
  const withAgent = (attributes: string) =>
    parseApplicationHostConfig(
      `<configuration><system.applicationHost>
        <applicationPools><add name="P" /></applicationPools>
        <sites><site name="Shop" id="1"><bindings><binding protocol="http" bindingInformation="*:8080:" /></bindings></site></sites>
        <webManagement port="9182" ${attributes} />
      </system.applicationHost></configuration>`,
      '/etc/applicationHost.config',
    );
  const address = { host: '127.0.0.1', port: 9182 };
  assert.deepEqual(farmHealthOf(address, withAgent('')), { agentCheckPort: 0, readyQueuePercent: 50 });
  assert.deepEqual(farmHealthOf(address, withAgent('agentCheckPort="9183" readyQueuePercent="80"')), { agentCheckPort: 9183, readyQueuePercent: 80 });
  assert.throws(() => farmHealthOf(address, withAgent('agentCheckPort="9182"')), /agentCheckPort 9182 is the administration port/);
  assert.throws(() => farmHealthOf(address, withAgent('agentCheckPort="8080"')), /agentCheckPort 8080 is an endpoint of site 'Shop' \(binding \*:8080:\)/);
  assert.throws(() => withAgent('readyQueuePercent="0"'), /readyQueuePercent/);
});
