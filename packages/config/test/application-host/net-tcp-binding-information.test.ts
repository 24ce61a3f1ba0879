import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNetTcpBindingInformation } from '../../src/application-host/net-tcp-binding-information.js';

test('net.tcp bindingInformation is PORT:* or PORT:IP', () => {
  assert.deepEqual(parseNetTcpBindingInformation('808:*'), { ok: true, ip: '*', port: 808, host: '' });
  assert.deepEqual(parseNetTcpBindingInformation('9000:127.0.0.1'), { ok: true, ip: '127.0.0.1', port: 9000, host: '' });
  assert.deepEqual(parseNetTcpBindingInformation('9000:[::1]'), { ok: true, ip: '::1', port: 9000, host: '' });
});

test('a malformed net.tcp binding says what is wrong', () => {
  assert.deepEqual(parseNetTcpBindingInformation('808'), { ok: false, reason: 'expected PORT:* or PORT:IP with one colon' });
  assert.deepEqual(parseNetTcpBindingInformation('0:*'), { ok: false, reason: 'port 0 is outside 1-65535' });
  assert.deepEqual(parseNetTcpBindingInformation('*:808'), { ok: false, reason: 'port "*" is not a number' });
  assert.deepEqual(parseNetTcpBindingInformation('808:::1'), { ok: false, reason: 'IPv6 address "::1" must be written in brackets, e.g. 808:[::1]' });
  assert.deepEqual(parseNetTcpBindingInformation('808:www.contoso.com'), { ok: false, reason: '"www.contoso.com" is not "*" or an IP address (a raw TCP connection carries no host name)' });
});
