import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffApplicationHostConfig } from '../../src/index.js';
import { parseApplicationHostConfig } from '../../src/application-host/load-application-host-config.js';
import { applicationHost } from '../helpers/fixtures.js';

const load = (parts: Parameters<typeof applicationHost>[0]) => parseApplicationHostConfig(applicationHost(parts), '/srv/iis/applicationHost.config', { env: {} });

const sites = (extraBinding = '', extraApp = '', vdirPath = 'C:\\a') => `<site name="A" id="1">
  <application path="/"><virtualDirectory path="/" physicalPath="${vdirPath}" /></application>${extraApp}
  <bindings><binding protocol="http" bindingInformation="*:80:" />${extraBinding}</bindings>
</site>`;

test('identical configurations have no changes, everything kept', () => {
  const diff = diffApplicationHostConfig(load({ sites: sites() }), load({ sites: sites() }));
  assert.equal(diff.hasChanges, false);
  assert.deepEqual(diff.applicationPools.kept, ['DefaultAppPool']);
  assert.deepEqual(diff.sites.kept, ['A']);
});

test('pools added, changed (dotted attribute names) and removed', () => {
  const before = load({ pools: '<add name="DefaultAppPool" /><add name="Old" />' });
  const after = load({
    pools: '<add name="DefaultAppPool" queueLength="2000"><processModel maxProcesses="2" /><recycling><periodicRestart><schedule><add value="03:00:00" /></schedule></periodicRestart></recycling></add><add name="New" />',
  });
  const diff = diffApplicationHostConfig(before, after);
  assert.deepEqual(diff.applicationPools.added, ['New']);
  assert.deepEqual(diff.applicationPools.removed, ['Old']);
  assert.deepEqual(diff.applicationPools.changed, [
    { key: 'DefaultAppPool', attributes: ['queueLength', 'processModel.maxProcesses', 'recycling.periodicRestart.schedule'] },
  ]);
  assert.equal(diff.hasChanges, true);
});

test('source positions alone are not a change', () => {
  const before = load({ pools: '<add name="DefaultAppPool" />' });
  const after = load({ pools: '\n\n   <add name="DefaultAppPool" />' });
  assert.equal(diffApplicationHostConfig(before, after).hasChanges, false);
});

test('bindings, applications and virtual directories', () => {
  const before = load({ sites: sites('', '<application path="/old"><virtualDirectory path="/" physicalPath="C:\\old" /></application>') });
  const after = load({
    sites: sites('<binding protocol="http" bindingInformation="*:8080:" />', '<application path="/new" preloadEnabled="true"><virtualDirectory path="/" physicalPath="C:\\new" /></application>', 'C:\\b'),
  });
  const diff = diffApplicationHostConfig(before, after);
  assert.deepEqual(diff.bindings.added, [{ site: 'A', protocol: 'http', bindingInformation: '*:8080:' }]);
  assert.deepEqual(diff.bindings.removed, []);
  assert.deepEqual(diff.sites.changed, [{ key: 'A', attributes: ['bindings'] }]);
  assert.deepEqual(diff.applications.added, [{ site: 'A', path: '/new' }]);
  assert.deepEqual(diff.applications.removed, [{ site: 'A', path: '/old' }]);
  assert.deepEqual(diff.applications.kept, [{ site: 'A', path: '/' }]);
  assert.deepEqual(diff.virtualDirectories.changed, [{ key: { site: 'A', application: '/', path: '/' }, attributes: ['physicalPath', 'physicalPathRaw'] }]);
  assert.deepEqual(diff.virtualDirectories.added, [{ site: 'A', application: '/new', path: '/' }]);
});

test('site attributes, webLimits and httpSys changes', () => {
  const before = load({});
  const after = load({
    sites: '<site name="Default Web Site" id="1" serverAutoStart="false"><limits connectionTimeout="00:00:30" /><application path="/"><virtualDirectory path="/" physicalPath="%SystemDrive%\\inetpub\\wwwroot" /></application><bindings><binding protocol="http" bindingInformation="*:80:" /></bindings></site>',
    applicationHost: '<webLimits minBytesPerSecond="0" /><httpSys maxRequestBytes="32768" />',
  });
  const diff = diffApplicationHostConfig(before, after);
  assert.deepEqual(diff.sites.changed, [{ key: 'Default Web Site', attributes: ['serverAutoStart', 'limits.connectionTimeout'] }]);
  assert.deepEqual(diff.webLimits, ['minBytesPerSecond']);
  assert.deepEqual(diff.httpSys, ['maxRequestBytes']);
  assert.deepEqual(diff.sites.added, []);
});
