// The client side of httpsys without Node's HTTP server: response order on a pipelined connection,
// framing httpsys adds (chunked, close for HTTP/1.0, keep-alive), a half-closed client, 100-continue and
// the idle-connection timer — over raw sockets against real w3wp workers.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:net';
import { INITIAL_STREAM_WINDOW } from '@poolhost/protocol';
import { Harness, rawRequest } from '../integration/harness.js';

const APP = `
const http = require('http');
http.createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  if (url.pathname === '/slow') {
    setTimeout(() => res.end('slow ' + process.pid), Number(url.searchParams.get('ms')));
    return;
  }
  if (url.pathname === '/unframed') {
    res.write('part one, ');
    setTimeout(() => res.end('part two'), 20);
    return;
  }
  if (url.pathname === '/sized') {
    // Node's own ServerResponse sends no length to an HTTP/1.0 client unless the application sets one.
    const body = 'sized ' + process.pid;
    res.setHeader('Content-Length', Buffer.byteLength(body));
    res.end(body);
    return;
  }
  if (url.pathname === '/early') {
    res.end('answered before the body');
    return;
  }
  if (url.pathname === '/trailers') {
    let bytes = 0;
    req.on('data', (chunk) => { bytes += chunk.length; });
    req.on('end', () => res.end('received ' + bytes + ' ' + JSON.stringify(req.trailers)));
    return;
  }
  if (url.pathname === '/fields') {
    res.end('fields ' + req.rawHeaders.length / 2);
    return;
  }
  if (url.pathname === '/echo') {
    let bytes = 0;
    req.on('data', (chunk) => { bytes += chunk.length; });
    req.on('end', () => res.end('received ' + bytes));
    return;
  }
  res.end('fast ' + process.pid);
}).listen(process.env.PORT);
`;

const IDLE_TIMEOUT_SECONDS = 1;
const harness = new Harness([{ name: 'ConnectionPool', maxProcesses: 2, files: { 'server.js': APP } }], { connectionTimeout: IDLE_TIMEOUT_SECONDS * 1_000 });

before(async () => {
  await harness.start();
  await harness.startWorker('ConnectionPool');
  await harness.startWorker('ConnectionPool');
});

after(() => harness.stop());

const get = (path: string, extra = ''): string => `GET ${path} HTTP/1.1\r\nHost: localhost\r\n${extra}\r\n`;

function bodies(text: string): string[] {
  return text
    .split('HTTP/1.1 ')
    .slice(1)
    .map((response) => response.slice(response.indexOf('\r\n\r\n') + 4));
}

test('pipelined requests are answered in order even when a later one finishes first on another worker', async () => {
  const answer = (await rawRequest(harness.port, get('/slow?ms=300') + get('/fast') + get('/fast', 'Connection: close\r\n'))).toString('latin1');
  const [slow, fast, last] = bodies(answer);
  assert.match(slow!, /^slow \d+$/);
  assert.match(fast!, /^fast \d+$/);
  assert.match(last!, /^fast \d+$/);
  assert.notEqual(slow!.split(' ')[1], fast!.split(' ')[1], 'the two requests ran on different workers at once');
});

test('a response without a length is chunked for HTTP/1.1 (the connection stays open) and unframed for HTTP/1.0 (then closed)', async () => {
  const chunked = (await rawRequest(harness.port, get('/unframed') + get('/fast', 'Connection: close\r\n'))).toString('latin1');
  assert.match(chunked, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(chunked, /\r\nTransfer-Encoding: chunked\r\n/);
  assert.match(chunked, /\r\n\r\na\r\npart one, \r\n8\r\npart two\r\n0\r\n\r\nHTTP\/1\.1 200 OK\r\n/, 'chunks, the last chunk, then the next response');
  assert.match(chunked, /\r\nConnection: close\r\n\r\nfast \d+$/);

  const unframed = (await rawRequest(harness.port, 'GET /unframed HTTP/1.0\r\n\r\n')).toString('latin1');
  assert.doesNotMatch(unframed, /Transfer-Encoding|Content-Length/);
  assert.match(unframed, /\r\nConnection: close\r\n\r\npart one, part two$/, 'the body ends with the connection');
});

test('an HTTP/1.0 keep-alive request with a length is answered keep-alive and the connection serves the next one', async () => {
  const request = 'GET /sized HTTP/1.0\r\nConnection: keep-alive\r\n\r\n';
  const answer = (await rawRequest(harness.port, request + request, (text) => bodies(text).length === 2 && /\r\n\r\nsized \d+$/.test(text))).toString('latin1');
  assert.equal(answer.match(/Connection: keep-alive\r\n/g)?.length, 2, answer);
  assert.equal(answer.match(/\r\nContent-Length: \d+\r\n/g)?.length, 2);
});

test('a client that half-closes after its request still gets the whole response', async () => {
  const answer = await new Promise<string>((resolve, reject) => {
    const socket = connect(harness.port, '127.0.0.1');
    let text = '';
    socket.on('data', (chunk) => (text += chunk.toString('latin1')));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
    socket.end(get('/slow?ms=200'));
  });
  assert.match(answer, /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nslow \d+$/);
});

test('Expect: 100-continue gets HTTP.SYS\' interim answer once a worker has the request, then the final one', async () => {
  const answer = await new Promise<string>((resolve, reject) => {
    const socket = connect(harness.port, '127.0.0.1');
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
      if (text === 'HTTP/1.1 100 Continue\r\n\r\n') socket.write('hello');
      if (/received \d+$/.test(text)) socket.end();
    });
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
    socket.write('POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n');
  });
  assert.match(answer, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK\r\n[\s\S]*received 5$/);
});

test('a keep-alive connection left idle past connectionTimeout is closed with a Timer_ConnectionIdle line', async () => {
  const started = Date.now();
  const { text, clientPort } = await new Promise<{ text: string; clientPort: number }>((resolve, reject) => {
    const socket = connect(harness.port, '127.0.0.1');
    let received = '';
    let clientPort = 0;
    socket.on('connect', () => (clientPort = socket.localPort!));
    socket.on('data', (chunk) => (received += chunk.toString('latin1')));
    socket.on('close', () => resolve({ text: received, clientPort }));
    socket.on('error', reject);
    socket.write(get('/fast'));
  });
  const closedAfter = Date.now() - started;
  assert.match(text, /^HTTP\/1\.1 200 OK\r\n[\s\S]*fast \d+$/, 'answered, then left open');
  assert.ok(closedAfter >= IDLE_TIMEOUT_SECONDS * 1_000 - 50, `closed after ${closedAfter} ms`);
  await harness.httpSys.flushHttpErrLog();
  const log = readdirSync(harness.logDirectory)
    .map((file) => readFileSync(join(harness.logDirectory, file), 'latin1'))
    .join('');
  const lines = log.split('\n').filter((line) => line.includes(` ${clientPort} `) && line.includes('Timer_ConnectionIdle'));
  assert.equal(lines.length, 1, log);
});

test('a body the application never reads does not stall the connection: the next request on it is answered', async () => {
  // Exactly one stream window: the last body byte uses the window up as the body completes.
  const body = Buffer.alloc(INITIAL_STREAM_WINDOW, 97);
  const answer = await new Promise<string>((resolve, reject) => {
    const socket = connect(harness.port, '127.0.0.1');
    let text = '';
    let askedAgain = false;
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
      if (!askedAgain && text.endsWith('answered before the body')) {
        askedAgain = true;
        socket.write(get('/fast', 'Connection: close\r\n'));
      }
    });
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
    socket.setTimeout(5_000, () => socket.destroy());
    socket.write(`POST /early HTTP/1.1\r\nHost: localhost\r\nContent-Length: ${body.length}\r\n\r\n`);
    socket.write(body);
  });
  const [early, next] = bodies(answer);
  assert.equal(early, 'answered before the body');
  assert.match(next ?? '', /^fast \d+$/);
});

test('bodyless requests, chunked ones with trailers and a head of more than 32 fields share a connection: each is parsed whole', async () => {
  // A bodyless request ends with its head (httpsys has llhttp skip the call at its end); a chunked one
  // after it needs that call again for its end and trailers, and a long head after either is a head.
  const chunked = 'POST /trailers HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-Checksum: abc\r\n\r\n';
  const manyFields = Array.from({ length: 40 }, (_, index) => `X-Field-${index}: ${index}\r\n`).join('');
  const answer = (await rawRequest(harness.port, get('/fast') + chunked + get('/fields', manyFields) + get('/fast') + chunked + get('/fields', manyFields + 'Connection: close\r\n'))).toString('latin1');
  const [first, withTrailers, fields, fast, again, last] = bodies(answer);
  assert.match(first!, /^fast \d+$/);
  assert.equal(withTrailers, 'received 5 {"x-checksum":"abc"}');
  assert.equal(fields, 'fields 41');
  assert.match(fast!, /^fast \d+$/);
  assert.equal(again, 'received 5 {"x-checksum":"abc"}');
  assert.equal(last, 'fields 42');
});
