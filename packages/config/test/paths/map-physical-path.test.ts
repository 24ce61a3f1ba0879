import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EnvironmentNames, expandEnvironmentVariables, mapPhysicalPath, type Environment } from '../../src/paths/map-physical-path.js';

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

test('one reading lists the environment names once, however many %VAR% it expands, and matches them as before', () => {
  let listed = 0;
  const env = new Proxy<Environment>({ windir: 'C:\\Windows', Path: '/bin' }, {
    ownKeys(target) {
      listed++;
      return Reflect.ownKeys(target);
    },
  });
  const names = new EnvironmentNames(env);
  assert.equal(mapPhysicalPath('%SystemDrive%\\inetpub\\logs', '/etc/poolhost', names), '/etc/poolhost/inetpub/logs');
  assert.equal(mapPhysicalPath('%SYSTEMDRIVE%\\inetpub\\temp', '/etc/poolhost', names), '/etc/poolhost/inetpub/temp');
  assert.equal(expandEnvironmentVariables('%WINDIR%;%path%;%Nope%', '/etc/poolhost', names), 'C:\\Windows;/bin;%Nope%');
  assert.equal(listed, 1);
  // Without one, each expansion lists them for itself, as before.
  assert.equal(expandEnvironmentVariables('%WINDIR%', '/etc/poolhost', env), 'C:\\Windows');
  assert.equal(listed, 2);
});
