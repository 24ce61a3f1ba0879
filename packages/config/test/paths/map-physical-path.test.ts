import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandEnvironmentVariables, mapPhysicalPath } from '../../src/paths/map-physical-path.js';

const configDir = '/etc/poolhost';

test('%SystemDrive% maps to the folder holding applicationHost.config', () => {
  assert.equal(mapPhysicalPath('%SystemDrive%\\inetpub\\wwwroot', configDir, {}), '/etc/poolhost/inetpub/wwwroot');
});

test('the SystemDrive environment variable wins when set', () => {
  assert.equal(mapPhysicalPath('%SystemDrive%\\inetpub\\wwwroot', configDir, { SystemDrive: '/srv' }), '/srv/inetpub/wwwroot');
});

test('a drive prefix maps to the config folder and backslashes become slashes', () => {
  assert.equal(mapPhysicalPath('C:\\vhosts\\redisoncloud.com\\http', configDir, {}), '/etc/poolhost/vhosts/redisoncloud.com/http');
  assert.equal(mapPhysicalPath('d:/data', configDir, {}), '/etc/poolhost/data');
});

test('other variables expand from the environment, case-insensitively; unknown ones stay', () => {
  assert.equal(mapPhysicalPath('%APPS%\\one', configDir, { APPS: '/opt/apps' }), '/opt/apps/one');
  assert.equal(expandEnvironmentVariables('%apps%/x', configDir, { APPS: '/opt' }), '/opt/x');
  assert.equal(expandEnvironmentVariables('%NOPE%/x', configDir, {}), '%NOPE%/x');
});

test('relative paths resolve against the config folder; absolute Linux paths stay', () => {
  assert.equal(mapPhysicalPath('inetpub\\site', configDir, {}), '/etc/poolhost/inetpub/site');
  assert.equal(mapPhysicalPath('/var/www', configDir, {}), '/var/www');
  assert.equal(mapPhysicalPath('', configDir, {}), '');
});
