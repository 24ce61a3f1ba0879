import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseBindingInformation } from '../../src/application-host/binding-information.js';

test('splits IP:port:host on the last two colons', () => {
  assert.deepEqual(parseBindingInformation('*:80:'), { ok: true, ip: '*', port: 80, host: '' });
  assert.deepEqual(parseBindingInformation('*:80:WWW.Contoso.com'), { ok: true, ip: '*', port: 80, host: 'www.contoso.com' });
  assert.deepEqual(parseBindingInformation('192.168.0.1:8080:'), { ok: true, ip: '192.168.0.1', port: 8080, host: '' });
  assert.deepEqual(parseBindingInformation(':5000:localhost'), { ok: true, ip: '*', port: 5000, host: 'localhost' });
});

test('IPv6 literals are bracketed', () => {
  assert.deepEqual(parseBindingInformation('[fe80::1]:8080:host.local'), { ok: true, ip: 'fe80::1', port: 8080, host: 'host.local' });
  assert.deepEqual(parseBindingInformation('[::1]:443:'), { ok: true, ip: '::1', port: 443, host: '' });
});

test('malformed bindingInformation says what is wrong', () => {
  assert.deepEqual(parseBindingInformation('*:80'), { ok: false, reason: 'expected IP:port:host with two colons' });
  assert.deepEqual(parseBindingInformation('*:0:'), { ok: false, reason: 'port 0 is outside 1-65535' });
  assert.deepEqual(parseBindingInformation('*:65536:'), { ok: false, reason: 'port 65536 is outside 1-65535' });
  assert.deepEqual(parseBindingInformation('*:http:'), { ok: false, reason: 'port "http" is not a number' });
  assert.deepEqual(parseBindingInformation('300.1.1.1:80:'), { ok: false, reason: '"300.1.1.1" is not an IP address, "*" or empty' });
  assert.deepEqual(parseBindingInformation('[zz::1]:80:'), { ok: false, reason: '"[zz::1]" is not an IPv6 address' });
});
