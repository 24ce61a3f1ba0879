// HTTP.SYS' own answers, byte for byte (reference §7.2), and their HTTPERR lines.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { connectControlSocket, socketPath } from '@poolhost/protocol';
import { Harness, rawRequest, until } from './harness.js';

const app = { 'server.js': `require('http').createServer((req, res) => res.end('ok')).listen(process.env.PORT);` };
const harness = new Harness([
  // No worker ever starts for QueuePool: requests wait, the second finds the queue full.
  { name: 'QueuePool', queueLength: 1, files: app, path: '/' },
  { name: 'OfflinePool', enabled: false, files: app, path: '/offline' },
  { name: 'TcpPool', enabled: false, loadBalancerCapabilities: 'TcpLevel', files: app, path: '/tcp' },
]);

before(() => harness.start());
after(() => harness.stop());

function expectedBody(code: number, title: string, heading: string, text: string): string {
  return (
    '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN""http://www.w3.org/TR/html4/strict.dtd">\r\n' +
    `<HTML><HEAD><TITLE>${title}</TITLE>\r\n` +
    '<META HTTP-EQUIV="Content-Type" Content="text/html; charset=us-ascii"></HEAD>\r\n' +
    `<BODY><h2>${heading}</h2>\r\n` +
    `<hr><p>HTTP Error ${code}. ${text}</p>\r\n` +
    '</BODY></HTML>\r\n'
  );
}

/** Splits a raw response and checks HTTP.SYS' header set, in order. */
function checkHttpSysResponse(raw: string, statusLine: string, contentLength: number, body: string): void {
  const [head, payload] = raw.split('\r\n\r\n', 2) as [string, string];
  const lines = head.split('\r\n');
  assert.equal(lines[0], statusLine);
  assert.equal(lines[1], 'Content-Type: text/html; charset=us-ascii');
  assert.equal(lines[2], 'Server: Microsoft-HTTPAPI/2.0');
  assert.match(lines[3]!, /^Date: \w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
  assert.equal(lines[4], 'Connection: close');
  assert.equal(lines[5], `Content-Length: ${contentLength}`);
  assert.equal(lines.length, 6);
  assert.equal(Buffer.byteLength(payload), contentLength);
  assert.equal(payload, body);
}

test('503 QueueFull: the queue already holds queueLength requests; only the channel that programs httpsys hears the demand', async () => {
  // A query-only peer (inetmgr's kept connection, appcmd): asks for counters, never programs URL groups.
  const heardByQuery: string[] = [];
  const query = await connectControlSocket(socketPath(harness.runDirectory, 'httpsys'), {
    peer: 'httpsys',
    handlers: { WorkerDemanded: (message) => void heardByQuery.push(message.type), RequestQueueActive: (message) => void heardByQuery.push(message.type) },
  });
  assert.equal((await query.request({ type: 'GetListenerCounters' })).type, 'ListenerCounters');
  // The first request waits in QueuePool's queue (no worker); keep its connection open.
  const waiting = rawRequest(harness.port, 'GET /first HTTP/1.1\r\nHost: localhost\r\n\r\n', undefined, 5_000);
  // The second is sent once the first waits in the queue (not after a guessed 200 ms), so it is the one refused.
  await until('/first to wait in the queue', () => harness.httpSys.counters().requestQueues.find((queue) => queue.applicationPool === 'QueuePool')!.currentQueueSize === 1);
  const raw = (await rawRequest(harness.port, 'GET /second HTTP/1.1\r\nHost: localhost\r\n\r\n')).toString('latin1');
  checkHttpSysResponse(raw, 'HTTP/1.1 503 Service Unavailable', 326, expectedBody(503, 'Service Unavailable', 'Service Unavailable', 'The service is unavailable.'));
  await waiting;
  const demanded = harness.events.filter((event) => event.type === 'WorkerDemanded');
  assert.ok(demanded.length >= 1, 'a request waiting with no worker makes httpsys demand one');
  assert.deepEqual(demanded[0], { type: 'WorkerDemanded', applicationPool: 'QueuePool', reason: 'NoWorker', queuedRequests: 1, attachedWorkers: 0 });
  query.close();
  assert.deepEqual(heardByQuery, [], 'a query-only channel is not told of activation');
});

test('503 AppOffline: the pool is stopped', async () => {
  const raw = (await rawRequest(harness.port, 'GET /offline/page HTTP/1.1\r\nHost: localhost\r\n\r\n')).toString('latin1');
  checkHttpSysResponse(raw, 'HTTP/1.1 503 Service Unavailable', 326, expectedBody(503, 'Service Unavailable', 'Service Unavailable', 'The service is unavailable.'));
});

test('TcpLevel: the connection is closed instead of a 503', async () => {
  const raw = await rawRequest(harness.port, 'GET /tcp/page HTTP/1.1\r\nHost: localhost\r\n\r\n');
  assert.equal(raw.length, 0);
});

test('400 Invalid Hostname: no binding for the host on that port', async () => {
  const raw = (await rawRequest(harness.hostOnlyPort, 'GET /ThisIsMyUrl.htm HTTP/1.1\r\nHost: nobody.example\r\n\r\n')).toString('latin1');
  checkHttpSysResponse(raw, 'HTTP/1.1 400 Bad Request', 334, expectedBody(400, 'Bad Request', 'Bad Request - Invalid Hostname', 'The request hostname is invalid.'));
});

test('404 Not Found: the site is stopped', async () => {
  const raw = (await rawRequest(harness.hostOnlyPort, 'GET / HTTP/1.1\r\nHost: stopped.example\r\n\r\n')).toString('latin1');
  checkHttpSysResponse(raw, 'HTTP/1.1 404 Not Found', 315, expectedBody(404, 'Not Found', 'Not Found', 'The requested resource is not found.'));
});

test('400 Request Too Long: one header over maxFieldLength, or all of them over maxRequestBytes', async () => {
  const body = expectedBody(400, 'Bad Request', 'Bad Request - Request Too Long', 'The size of the request headers is too long.');
  const longField = (await rawRequest(harness.port, `GET / HTTP/1.1\r\nHost: localhost\r\nX-Long: ${'a'.repeat(16_400)}\r\n\r\n`)).toString('latin1');
  checkHttpSysResponse(longField, 'HTTP/1.1 400 Bad Request', 346, body);
  let many = 'GET / HTTP/1.1\r\nHost: localhost\r\n';
  for (let i = 0; i < 40; i++) many += `X-Header-${i}: ${'b'.repeat(500)}\r\n`;
  const tooMany = (await rawRequest(harness.port, `${many}\r\n`)).toString('latin1');
  checkHttpSysResponse(tooMany, 'HTTP/1.1 400 Bad Request', 346, body);
});

test('414 for a URL over the limit, 400 for a malformed request', async () => {
  const longUrl = (await rawRequest(harness.port, `GET /${'u'.repeat(16_390)} HTTP/1.1\r\nHost: localhost\r\n\r\n`)).toString('latin1');
  checkHttpSysResponse(longUrl, 'HTTP/1.1 414 Request URL Too Long', 329, expectedBody(414, 'Request URL Too Long', 'Request URL Too Long', 'The request URL is too long.'));
  const malformed = (await rawRequest(harness.port, 'GARBAGE\r\n\r\n')).toString('latin1');
  checkHttpSysResponse(malformed, 'HTTP/1.1 400 Bad Request', 311, expectedBody(400, 'Bad Request', 'Bad Request', 'The request is badly formed.'));
});

test('each answer leaves an HTTPERR line with IIS fields and reason phrases', async () => {
  await harness.httpSys.flushHttpErrLog();
  const files = readdirSync(harness.logDirectory);
  assert.deepEqual(files, ['httperr1.log']);
  const text = readFileSync(join(harness.logDirectory, 'httperr1.log'), 'latin1');
  const lines = text.split('\r\n');
  assert.equal(lines[0], '#Software: Microsoft HTTP API 2.0');
  assert.equal(lines[1], '#Version: 1.0');
  assert.match(lines[2]!, /^#Date: \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  assert.equal(lines[3], '#Fields: date time c-ip c-port s-ip s-port cs-version cs-method cs-uri streamid sc-status s-siteid s-reason s-queuename');
  const records = lines.slice(4).filter(Boolean);
  const reasons = records.map((line) => line.split(' ')[12]);
  for (const reason of ['QueueFull', 'AppOffline', 'Hostname', 'NotFound', 'FieldLength', 'RequestLength', 'Verb']) {
    assert.ok(reasons.includes(reason), `${reason} in ${reasons.join(',')}`);
  }
  const queueFull = records.find((line) => line.includes(' QueueFull '))!;
  assert.match(queueFull, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} 127\.0\.0\.1 \d+ 127\.0\.0\.1 \d+ HTTP\/1\.1 GET \/second - 503 1 QueueFull QueuePool$/);
  const hostname = records.find((line) => line.includes(' Hostname '))!;
  assert.match(hostname, / HTTP\/1\.1 GET \/ThisIsMyUrl\.htm - 400 - Hostname -$/);
});
