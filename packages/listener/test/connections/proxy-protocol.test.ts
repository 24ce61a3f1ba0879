// The PROXY protocol header parser, v1 and v2, byte by byte as a balancer's packets may split it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseProxyHeader, V2_MAX_LENGTH } from '../../src/connections/proxy-protocol.js';

const SIGNATURE = [0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a];

function v2(command: number, family: number, addresses: number[], extra: number[] = []): Buffer {
  const body = [...addresses, ...extra];
  return Buffer.from([...SIGNATURE, 0x20 | command, family, body.length >> 8, body.length & 0xff, ...body]);
}

test('v1 TCP4 and TCP6: the source address and port; the length ends after CRLF', () => {
  const line = 'PROXY TCP4 192.0.2.10 198.51.100.1 56324 443\r\n';
  assert.deepEqual(parseProxyHeader(Buffer.from(`${line}GET / HTTP/1.1\r\n`)), { kind: 'complete', length: line.length, client: { ip: '192.0.2.10', port: 56324 } });
  const six = 'PROXY TCP6 2001:db8::1 2001:db8::2 1 65535\r\n';
  assert.deepEqual(parseProxyHeader(Buffer.from(six)), { kind: 'complete', length: six.length, client: { ip: '2001:db8::1', port: 1 } });
  assert.deepEqual(parseProxyHeader(Buffer.from('PROXY UNKNOWN\r\n')), { kind: 'complete', length: 15, client: null });
  assert.deepEqual(parseProxyHeader(Buffer.from('PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n')).kind, 'complete');
});

test('v1 split anywhere is incomplete until its CRLF; wrong bytes are refused as soon as they show', () => {
  const line = Buffer.from('PROXY TCP4 192.0.2.10 198.51.100.1 56324 443\r\n');
  for (let cut = 1; cut < line.length; cut++) assert.equal(parseProxyHeader(line.subarray(0, cut)).kind, 'incomplete', `cut at ${cut}`);
  assert.equal(parseProxyHeader(Buffer.from('GET / HTTP/1.1\r\n')).kind, 'invalid');
  assert.equal(parseProxyHeader(Buffer.from('PRX')).kind, 'invalid');
  for (const bad of [
    'PROXY TCP4 192.0.2.10 198.51.100.1 56324\r\n',
    'PROXY TCP4 2001:db8::1 198.51.100.1 1 2\r\n',
    'PROXY TCP6 192.0.2.10 2001:db8::2 1 2\r\n',
    'PROXY TCP4 192.0.2.10 198.51.100.1 65536 443\r\n',
    'PROXY TCP4 192.0.2.10 198.51.100.1 0080 443\r\n',
    'PROXY UDP4 192.0.2.10 198.51.100.1 1 2\r\n',
  ]) assert.equal(parseProxyHeader(Buffer.from(bad)).kind, 'invalid', bad);
  assert.deepEqual(parseProxyHeader(Buffer.from(`PROXY ${'x'.repeat(110)}`)), { kind: 'invalid', reason: 'PROXY v1 line longer than 107 bytes' });
});

test('v2 PROXY over TCP/IPv4 and IPv6, with TLVs skipped; LOCAL keeps the peer', () => {
  const four = v2(1, 0x11, [192, 0, 2, 10, 198, 51, 100, 1, 0xdc, 0x04, 0x01, 0xbb], [0x01, 0x00, 0x02, 0x68, 0x32]);
  assert.deepEqual(parseProxyHeader(Buffer.concat([four, Buffer.from('\x16\x03\x01')])), { kind: 'complete', length: four.length, client: { ip: '192.0.2.10', port: 56324 } });
  const source = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x07];
  const six = v2(1, 0x21, [...source, ...new Array(15).fill(0), 1, 0x15, 0xb3, 0, 80]);
  assert.deepEqual(parseProxyHeader(six), { kind: 'complete', length: six.length, client: { ip: '2001:db8::7', port: 5555 } });
  const local = v2(0, 0x00, []);
  assert.deepEqual(parseProxyHeader(local), { kind: 'complete', length: 16, client: null });
  for (let cut = 1; cut < four.length; cut++) assert.equal(parseProxyHeader(four.subarray(0, cut)).kind, 'incomplete', `cut at ${cut}`);
});

test('v2 refusals: a wrong signature, version or command, a length past the bound, addresses cut short', () => {
  assert.equal(parseProxyHeader(Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0b])).kind, 'invalid');
  const wrongVersion = v2(1, 0x11, new Array(12).fill(1));
  wrongVersion[12] = 0x11;
  assert.equal(parseProxyHeader(wrongVersion).kind, 'invalid');
  const wrongCommand = v2(1, 0x11, new Array(12).fill(1));
  wrongCommand[12] = 0x22;
  assert.equal(parseProxyHeader(wrongCommand).kind, 'invalid');
  const huge = Buffer.from([...SIGNATURE, 0x21, 0x11, 0xff, 0xff]);
  assert.equal(parseProxyHeader(huge).kind, 'invalid', `more than ${V2_MAX_LENGTH} bytes`);
  assert.equal(parseProxyHeader(v2(1, 0x11, [1, 2, 3, 4])).kind, 'invalid');
});
