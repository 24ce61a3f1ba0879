// A GET and a POST with a 5 MiB body through httpsys and a real w3wp.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Harness, request } from './harness.js';

const harness = new Harness([
  {
    name: 'RoundTripPool',
    files: {
      'server.js': `
const http = require('http');
const crypto = require('crypto');
const server = http.createServer((req, res) => {
  if (req.method === 'POST') {
    const hash = crypto.createHash('sha256');
    let bytes = 0;
    req.on('data', (chunk) => { bytes += chunk.length; hash.update(chunk); });
    req.on('end', () => res.end(JSON.stringify({ bytes, sha256: hash.digest('hex') })));
    return;
  }
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('Set-Cookie', ['a=1', 'b=2']);
  res.end(JSON.stringify({
    method: req.method, url: req.url, httpVersion: req.httpVersion,
    host: req.headers.host, custom: req.headers['x-custom'],
    remoteAddress: req.socket.remoteAddress, isRequest: req instanceof http.IncomingMessage,
    isResponse: res instanceof http.ServerResponse, pid: process.pid,
  }));
});
server.listen(process.env.PORT, () => {});
`,
    },
  },
]);

before(async () => {
  await harness.start();
  await harness.startWorker('RoundTripPool');
});
after(() => harness.stop());

test('a GET reaches the application as Node objects and comes back with its headers', async () => {
  const response = await request(harness.port, '/hello/world?x=1', { headers: { 'X-Custom': 'yes' } });
  assert.equal(response.status, 200);
  assert.deepEqual(response.headers['set-cookie'], ['a=1', 'b=2']);
  assert.equal(response.headers['content-type'], 'application/json');
  const seen = JSON.parse(response.body.toString());
  assert.equal(seen.method, 'GET');
  assert.equal(seen.url, '/hello/world?x=1');
  assert.equal(seen.httpVersion, '1.1');
  assert.equal(seen.host, 'localhost');
  assert.equal(seen.custom, 'yes');
  assert.equal(seen.remoteAddress, '127.0.0.1');
  assert.equal(seen.isRequest, true);
  assert.equal(seen.isResponse, true);
  assert.notEqual(seen.pid, process.pid);
});

test('a POST with a 5 MiB body arrives whole', async () => {
  const body = randomBytes(5 * 1024 * 1024);
  const response = await request(harness.port, '/upload', { method: 'POST', body });
  assert.equal(response.status, 200);
  const seen = JSON.parse(response.body.toString());
  assert.equal(seen.bytes, body.length);
  assert.equal(seen.sha256, createHash('sha256').update(body).digest('hex'));
});

test('a HEAD gets the headers and no body', async () => {
  const head = await request(harness.port, '/x', { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.body.length, 0);
});

test('an explicit host binding routes to its site', async () => {
  const response = await request(harness.hostOnlyPort, '/', { host: 'WWW.Contoso.com:1234' });
  assert.equal(response.status, 200);
});
