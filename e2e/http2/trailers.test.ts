// Trailer fields both ways, over HTTP/2 (Node's http2 client) and HTTP/1.1 (a chunked body): the
// client's trailers reach the application as `req.trailers`; `res.addTrailers()` reaches the client —
// over h2 when the response announces them (`Trailer`) or the client sent `TE: trailers`, over HTTP/1.1
// after the last chunk.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ClientHttp2Session, IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http2';
import { freePort } from '../support/http.js';
import { h2Session, postChunkedWithTrailers, startHttp2Site, type Http2Site } from './http2-support.js';

/** Echoes the body and `req.trailers`; answers with trailer X-Sum (announced when `?announce=1`). */
const trailersApp = `module.exports = (req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString();
    if (req.url.includes('announce=1')) res.setHeader('Trailer', 'X-Sum');
    res.setHeader('content-type', 'application/json');
    res.write(JSON.stringify({ version: req.httpVersion, body, trailers: req.trailers, leaked: 'x-leak' in req.headers }));
    res.addTrailers({ 'X-Sum': String(body.length) });
    res.end();
  });
};`;

let site: Http2Site;
let session: ClientHttp2Session;
// `after` called inside `before` would run at the end of the hook: cleanups are run once, after the file.
const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  session?.destroy();
  for (const cleanup of cleanups.reverse()) await cleanup();
});

before(async () => {
  site = await startHttp2Site({ httpsPort: await freePort(), httpPort: await freePort(), app: trailersApp }, (cleanup) => cleanups.push(cleanup));
  session = await h2Session(site);
});

interface H2Exchange {
  status: number;
  body: { version: string; body: string; trailers: Record<string, string>; leaked: boolean };
  trailers: IncomingHttpHeaders | null;
  rstCode: number;
}

/** A POST over the h2 session; `requestTrailers` are sent after the body (trailing HEADERS). */
async function post(path: string, headers: OutgoingHttpHeaders, requestTrailers: OutgoingHttpHeaders | null): Promise<H2Exchange> {
  const stream = session.request({ ':method': 'POST', ':path': path, ...headers }, requestTrailers ? { waitForTrailers: true } : {});
  if (requestTrailers) stream.on('wantTrailers', () => stream.sendTrailers(requestTrailers));
  stream.on('error', () => {});
  stream.end('hello trailers');
  let status = 0;
  let trailers: IncomingHttpHeaders | null = null;
  const chunks: Buffer[] = [];
  stream.on('response', (head) => (status = Number(head[':status'])));
  stream.on('trailers', (fields) => (trailers = fields));
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  await new Promise<void>((resolve) => stream.on('close', () => resolve()));
  const text = Buffer.concat(chunks).toString();
  return { status, body: text ? JSON.parse(text) : null, trailers, rstCode: stream.rstCode ?? 0 };
}

test('h2: the client\'s trailing HEADERS are req.trailers; an announced trailer (Trailer: X-Sum) comes back after the body', async () => {
  const exchange = await post('/echo?announce=1', {}, { 'x-checksum': 'c0ffee' });
  assert.equal(exchange.status, 200);
  assert.equal(exchange.rstCode, 0);
  assert.deepEqual(exchange.body, { version: '2.0', body: 'hello trailers', trailers: { 'x-checksum': 'c0ffee' }, leaked: false });
  assert.equal(exchange.trailers?.['x-sum'], '14');
});

test('h2: TE: trailers makes httpsys wait for trailers the application did not announce', async () => {
  const exchange = await post('/echo', { te: 'trailers' }, null);
  assert.equal(exchange.status, 200);
  assert.deepEqual(exchange.body.trailers, {}, 'no request trailers: an empty req.trailers');
  assert.equal(exchange.trailers?.['x-sum'], '14');
});

test('h2: neither announced nor asked for, the application\'s trailers are dropped and the response is whole', async () => {
  const exchange = await post('/echo', {}, null);
  assert.equal(exchange.status, 200);
  assert.equal(exchange.rstCode, 0);
  assert.equal(exchange.body.body, 'hello trailers');
  assert.equal(exchange.trailers, null);
});

test('HTTP/1.1: a chunked body\'s trailer section is req.trailers; res.addTrailers() follows the last chunk', async () => {
  const result = await postChunkedWithTrailers(site.httpPort, '/echo?announce=1');
  assert.equal(result.status, 200);
  assert.deepEqual(JSON.parse(result.body), { version: '1.1', body: 'hello trailers', trailers: { 'x-checksum': 'c0ffee' }, leaked: false });
  assert.equal(result.headers['transfer-encoding'], 'chunked');
  assert.equal(result.headers.trailer, 'X-Sum');
  assert.deepEqual(result.trailers, { 'x-sum': '14' });
});

test('HTTP/1.1: a keep-alive connection\'s next request gets none of the previous request\'s trailers', async () => {
  // Two requests in one packet: a chunked POST with trailers, then a POST whose 40 header fields llhttp
  // flushes in parts, as it flushes trailer fields: the trailers belong to the first request only.
  const { connect: netConnect } = await import('node:net');
  const socket = netConnect(site.httpPort, '127.0.0.1');
  const received: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => received.push(chunk));
  socket.write(
    'POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nfirst\r\n0\r\nX-Leak: yes\r\n\r\n' +
      `POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\n${Array.from({ length: 40 }, (_, i) => `X-Pad-${i}: ${i}\r\n`).join('')}Content-Length: 6\r\nConnection: close\r\n\r\nsecond`,
  );
  await new Promise<void>((resolve) => socket.on('close', () => resolve()));
  const text = Buffer.concat(received).toString('latin1');
  const bodies = [...text.matchAll(/\{"version".*?"leaked":(?:true|false)\}/g)].map((match) => JSON.parse(match[0]));
  assert.deepEqual(bodies, [
    { version: '1.1', body: 'first', trailers: { 'x-leak': 'yes' }, leaked: false },
    { version: '1.1', body: 'second', trailers: {}, leaked: false },
  ]);
});
