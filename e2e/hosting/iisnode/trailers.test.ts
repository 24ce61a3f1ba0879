// Trailer fields through an iisnode application's own node process: the client's trailers reach its
// `req.trailers`, and its `res.addTrailers()` reaches the client, over HTTP/1.1 (chunked) and HTTP/2 —
// the hop from w3wp to the node process carries them as a chunked HTTP/1.1 exchange.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { freePort } from '../../support/http.js';
import { h2Session, postChunkedWithTrailers, startHttp2Site, type Http2Site } from '../../http2/http2-support.js';
import { iisnodeWebConfig } from './iisnode-site.js';

/** Echoes the body, `req.trailers`; answers with the announced trailer X-Sum. */
const hello = `require('http').createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString();
    res.setHeader('Trailer', 'X-Sum');
    res.setHeader('content-type', 'application/json');
    res.write(JSON.stringify({ body, trailers: req.trailers }));
    res.addTrailers({ 'X-Sum': String(body.length) });
    res.end();
  });
}).listen(process.env.PORT);`;

let site: Http2Site;
const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

before(async () => {
  site = await startHttp2Site(
    { httpsPort: await freePort(), httpPort: await freePort(), files: { 'app/hello.js': hello, 'app/web.config': iisnodeWebConfig() } },
    (cleanup) => cleanups.push(cleanup),
  );
});

test('iisnode over HTTP/1.1: a chunked body\'s trailers reach the node process; its trailers follow the last chunk', async () => {
  const result = await postChunkedWithTrailers(site.httpPort, '/hello.js');
  assert.equal(result.status, 200);
  const seen = JSON.parse(result.body);
  assert.equal(seen.body, 'hello trailers');
  assert.deepEqual(seen.trailers, { 'x-checksum': 'c0ffee' });
  assert.notEqual(seen.pid, site.poolhost.pid, 'served by the application\'s own node process');
  assert.equal(result.headers.trailer, 'X-Sum');
  assert.deepEqual(result.trailers, { 'x-sum': '14' });
});

test('iisnode over HTTP/2: trailing HEADERS reach the node process; its announced trailer comes back after the body', async () => {
  const session = await h2Session(site);
  try {
    const stream = session.request({ ':method': 'POST', ':path': '/hello.js' }, { waitForTrailers: true });
    stream.on('wantTrailers', () => stream.sendTrailers({ 'x-checksum': 'c0ffee' }));
    stream.on('error', () => {});
    stream.end('hello trailers');
    let status = 0;
    let trailers: Record<string, unknown> | null = null;
    const chunks: Buffer[] = [];
    stream.on('response', (head) => (status = Number(head[':status'])));
    stream.on('trailers', (fields) => (trailers = fields));
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    await new Promise<void>((resolve) => stream.on('close', () => resolve()));
    assert.equal(status, 200);
    assert.equal(stream.rstCode ?? 0, 0);
    const seen = JSON.parse(Buffer.concat(chunks).toString());
    assert.equal(seen.body, 'hello trailers');
    assert.deepEqual(seen.trailers, { 'x-checksum': 'c0ffee' });
    assert.equal((trailers as Record<string, unknown> | null)?.['x-sum'], '14');
  } finally {
    session.destroy();
  }
});
