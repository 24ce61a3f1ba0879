// PROXY protocol on bindings (proxyProtocol="required"): a real HAProxy sends v2 (http) and v1 (https,
// before the TLS ClientHello) from a client on 127.0.0.2; the application, ipSecurity and the W3C log
// see 127.0.0.2, not HAProxy's 127.0.0.1. A connection without a valid header is closed with an
// HTTPERR line; a binding not configured for PROXY never trusts one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { startPoolhost, type PoolhostInstance } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort, httpRequest, rawRequest } from '../support/http.js';
import { waitFor } from '../support/wait.js';
import { startHaproxy } from '../support/haproxy.js';
import { newAuthority, storeText } from '../https/https-support.js';
import type { TestCertificateAuthority } from '../support/test-certificates.js';
import { readHttpErr } from '../reliability/support/raw-client.js';
import { w3cRecords } from '../cache/cache-support.js';

/** What the application saw of its client. */
const clientApp = `module.exports = (req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ remote: req.socket.remoteAddress, remotePort: req.socket.remotePort }));
};`;

let poolhost: PoolhostInstance;
let authority: TestCertificateAuthority;
let proxiedPort: number;
let proxiedTlsPort: number;
let plainPort: number;
let frontPort: number;
let frontTlsPort: number;
const cleanups: (() => Promise<void>)[] = [];
const collect = (cleanup: () => Promise<void>): void => {
  cleanups.push(cleanup);
};
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

before(async () => {
  [proxiedPort, proxiedTlsPort, plainPort, frontPort, frontTlsPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
  authority = newAuthority();
  const www = authority.issue('www', ['www.example.test']);
  let config = applicationHostConfig({
    pools: [{ name: 'Pool' }],
    sites: [
      {
        name: 'Farm',
        id: 1,
        bindings: [`127.0.0.1:${proxiedPort}:`, `https/127.0.0.1:${proxiedTlsPort}:www.example.test#1`, `127.0.0.1:${plainPort}:`],
        applications: [{ path: '/', pool: 'Pool', physicalPath: '{{root}}/app' }],
      },
    ],
    // A connection owes its PROXY header (and its request head) within two seconds.
    webLimits: { headerWaitTimeout: '00:00:02' },
  });
  for (const port of [proxiedPort, proxiedTlsPort]) {
    config = config.replace(new RegExp(`bindingInformation="127\\.0\\.0\\.1:${port}:([^"]*)"`), `bindingInformation="127.0.0.1:${port}:$1" proxyProtocol="required"`);
  }
  // The balancer's clients in 203.0.113.0/24 and 127.0.0.3 are refused; HAProxy's own address is not.
  config = config.replace(
    '</configuration>',
    `  <location path="Farm"><system.webServer><security>
    <ipSecurity allowUnlisted="true"><add ipAddress="127.0.0.3" allowed="false" /></ipSecurity>
  </security></system.webServer></location>
</configuration>`,
  );
  poolhost = await startPoolhost(
    {
      config,
      files: {
        'app/server.js': clientApp,
        'sslcert.json': storeText([{ hostnameport: `www.example.test:${proxiedTlsPort}`, certfile: www.certFile, keyfile: www.keyFile }]),
      },
      waitForPort: plainPort,
    },
    collect,
  );
  await startHaproxy(
    `defaults
  mode tcp
  timeout connect 5s
  timeout client 30s
  timeout server 30s

frontend web
  bind 127.0.0.1:${frontPort}
  default_backend web

backend web
  server host1 127.0.0.1:${proxiedPort} send-proxy-v2

frontend tls
  bind 127.0.0.1:${frontTlsPort}
  default_backend tls

backend tls
  server host1 127.0.0.1:${proxiedTlsPort} send-proxy
`,
    collect,
  );
});

/** An HTTP GET through HAProxy's cleartext frontend from a chosen loopback source address. */
function getThroughHaproxy(localAddress: string, path = '/'): Promise<{ status: number; body: string }> {
  return httpRequest({ port: frontPort, path, localAddress }).then((response) => ({ status: response.status, body: response.text }));
}

test('PROXY v2 over http: the application and the W3C log see the client HAProxy saw', async () => {
  const response = await getThroughHaproxy('127.0.0.2', '/seen');
  assert.equal(response.status, 200);
  const seen = JSON.parse(response.body);
  assert.equal(seen.remote, '127.0.0.2');
  assert.notEqual(seen.remotePort, 0);
  await waitFor('the W3C line of /seen', () => w3cRecords(poolhost).some((record) => record['cs-uri-stem'] === '/seen'), 10_000);
  const line = w3cRecords(poolhost).find((record) => record['cs-uri-stem'] === '/seen')!;
  assert.equal(line['c-ip'], '127.0.0.2');
});

test('PROXY v2: ipSecurity judges the client the header names, not the balancer', async () => {
  const refused = await getThroughHaproxy('127.0.0.3', '/');
  assert.equal(refused.status, 403);
  assert.match(refused.body, /HTTP Error 403\.503 - Forbidden/);
  const served = await getThroughHaproxy('127.0.0.2', '/');
  assert.equal(served.status, 200);
});

test('PROXY v1 before TLS: the https binding reads the header, then the handshake, then the request', async () => {
  const result = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const request = httpsRequest(
      { host: '127.0.0.1', port: frontTlsPort, path: '/tls', servername: 'www.example.test', headers: { host: 'www.example.test' }, ca: readFileSync(authority.caFile), localAddress: '127.0.0.2' },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode!, body: Buffer.concat(chunks).toString() }));
      },
    );
    request.on('error', reject);
    request.end();
  });
  assert.equal(result.status, 200);
  const seen = JSON.parse(result.body);
  assert.equal(seen.remote, '127.0.0.2');
});

test('a hand-written v1 header and its request in one packet; IPv6 in v2', async () => {
  const v1 = await rawRequest(proxiedPort, 'PROXY TCP4 203.0.113.7 127.0.0.1 40000 80\r\nGET /raw HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.match(v1, /^HTTP\/1\.1 200/);
  assert.deepEqual(JSON.parse(v1.slice(v1.indexOf('\r\n\r\n') + 4)), { remote: '203.0.113.7', remotePort: 40000 });

  const header = Buffer.alloc(16 + 36);
  Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a, 0x21, 0x21, 0x00, 36]).copy(header);
  // 2001:db8::7 port 5555 -> ::1 port 80
  header.writeUInt16BE(0x2001, 16);
  header.writeUInt16BE(0x0db8, 18);
  header.writeUInt16BE(7, 30);
  header.writeUInt16BE(1, 46);
  header.writeUInt16BE(5555, 48);
  header.writeUInt16BE(80, 50);
  const v2 = await rawRequest(proxiedPort, Buffer.concat([header, Buffer.from('GET /raw6 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')]));
  assert.match(v2, /^HTTP\/1\.1 200/);
  assert.deepEqual(JSON.parse(v2.slice(v2.indexOf('\r\n\r\n') + 4)), { remote: '2001:db8::7', remotePort: 5555 });
});

test('a required binding refuses a connection without a valid header: closed with no answer, an HTTPERR line', async () => {
  const missing = await exchangeFromPort(proxiedPort, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.equal(missing.answer, '', 'no HTTP answer: the connection is closed');
  const garbled = await exchangeFromPort(proxiedPort, 'PROXY TCP4 not-an-address 127.0.0.1 1 2\r\nGET / HTTP/1.1\r\n\r\n');
  assert.equal(garbled.answer, '');
  const httpErr = join(poolhost.root, 'logs', 'HTTPERR');
  const refusedFrom = (clientPort: number): boolean =>
    readHttpErr(httpErr).some((entry) => entry.clientPort === clientPort && entry.reason === 'ProxyProtocol_Invalid');
  await waitFor('a ProxyProtocol_Invalid line for each connection', () => refusedFrom(missing.clientPort) && refusedFrom(garbled.clientPort), 10_000);
  // Through HAProxy it still serves.
  assert.equal((await getThroughHaproxy('127.0.0.2')).status, 200);
});

test('a binding not configured for PROXY never trusts a header: it is a bad request line, and c-ip stays the peer', async () => {
  const spoofed = await rawRequest(plainPort, 'PROXY TCP4 203.0.113.9 127.0.0.1 40000 80\r\nGET /spoof HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.match(spoofed, /^HTTP\/1\.1 400/);
  assert.doesNotMatch(spoofed, /203\.0\.113\.9/);
  const direct = await httpRequest({ port: plainPort, path: '/direct' });
  assert.equal(JSON.parse(direct.text).remote, '127.0.0.1');
});

test('a header that never completes is closed after HeaderWait (Timer_HeaderWait), with nothing answered', async () => {
  const socket = connect(proxiedPort, '127.0.0.1');
  after(() => socket.destroy());
  await new Promise<void>((resolve) => socket.on('connect', () => resolve()));
  const clientPort = socket.localPort!;
  const received: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => received.push(chunk));
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  socket.write('PROXY TCP4 203.0.113.7 127.0.0.1 4');
  await closed;
  assert.equal(Buffer.concat(received).length, 0);
  const httpErr = join(poolhost.root, 'logs', 'HTTPERR');
  await waitFor('the Timer_HeaderWait line', () => readHttpErr(httpErr).some((entry) => entry.clientPort === clientPort && entry.reason === 'Timer_HeaderWait'), 10_000);
});

/** Sends `data` on a new connection and reads until it closes; with the client port HTTPERR names. */
function exchangeFromPort(port: number, data: string): Promise<{ answer: string; clientPort: number }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let clientPort = 0;
    const timer = setTimeout(() => socket.destroy(), 5_000);
    socket.on('connect', () => {
      clientPort = socket.localPort!;
      socket.write(data);
    });
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error) => {
      if (clientPort === 0) {
        clearTimeout(timer);
        reject(error);
      }
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ answer: Buffer.concat(chunks).toString('latin1'), clientPort });
    });
  });
}
