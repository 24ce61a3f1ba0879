// The kernel response cache over HTTP/2: a static file fetched twice over h2 is stored (the worker's
// response on an h2 stream is captured as an HTTP/1.1 one is), then answered by httpsys with every
// worker stopped — over h2 (HEADERS + DATA, a 304 for its ETag) and over HTTP/1.1 on the same https
// binding, from the same entry — and each hit is in the W3C log with its protocol version.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import type { ClientHttp2Session, IncomingHttpHeaders } from 'node:http2';
import { startPoolhost } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort } from '../support/http.js';
import { waitFor } from '../support/wait.js';
import { newAuthority, storeText } from '../https/https-support.js';
import { h2Session, type Http2Site } from '../http2/http2-support.js';
import { cacheState, w3cRecords, withWorkersStopped } from './cache-support.js';

async function h2Get(session: ClientHttp2Session, path: string, headers: Record<string, string> = {}): Promise<{ headers: IncomingHttpHeaders; body: string }> {
  const stream = session.request({ ':path': path, ...headers });
  const chunks: Buffer[] = [];
  let head: IncomingHttpHeaders = {};
  stream.on('response', (fields) => (head = fields));
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  await new Promise<void>((resolve, reject) => {
    stream.on('close', () => resolve());
    stream.on('error', reject);
  });
  return { headers: head, body: Buffer.concat(chunks).toString() };
}

test('HTTP/2 requests are answered from the kernel cache, and share its entries with HTTP/1.1', async () => {
  const [httpsPort, httpPort] = await Promise.all([freePort(), freePort()]);
  const authority = newAuthority();
  const www = authority.issue('www', ['www.example.test']);
  const config = applicationHostConfig({
    pools: [{ name: 'Pool' }],
    sites: [{ name: 'Site', id: 1, bindings: [`https/*:${httpsPort}:www.example.test#1`, `127.0.0.1:${httpPort}:`], applications: [{ path: '/', pool: 'Pool', physicalPath: '{{root}}/www' }] }],
  }).replace('<logFile logFormat="W3C"', '<logFile logFormat="W3C" logExtFileFlags="Date, Time, ClientIP, Method, UriStem, HttpStatus, ProtocolVersion, BytesSent"');
  const page = '<p>cached over h2</p>'.repeat(20);
  const poolhost = await startPoolhost(
    {
      config,
      files: {
        'www/page.html': page,
        'sslcert.json': storeText([{ hostnameport: `www.example.test:${httpsPort}`, certfile: www.certFile, keyfile: www.keyFile }]),
      },
      waitForPort: httpsPort,
    },
    after,
  );
  const site: Http2Site = { poolhost, authority, certificate: www, httpsPort, httpPort };
  const session = await h2Session(site);
  after(() => session.destroy());

  // frequentHitThreshold 2: the first h2 response is not offered, the second is stored.
  const first = await h2Get(session, '/page.html');
  assert.equal(first.headers[':status'], 200);
  assert.equal((await h2Get(session, '/page.html')).headers[':status'], 200);
  const url = `https://www.example.test:${httpsPort}/page.html`;
  assert.deepEqual((await cacheState(poolhost)).entries.map((entry) => entry.URL), [url]);

  const etag = String(first.headers.etag);
  await withWorkersStopped(poolhost, 'Pool', async () => {
    const hit = await h2Get(session, '/page.html');
    assert.equal(hit.headers[':status'], 200);
    assert.equal(hit.body, page);
    assert.equal(hit.headers['content-type'], 'text/html');
    assert.equal(hit.headers['content-length'], String(Buffer.byteLength(page)));
    assert.equal(hit.headers.etag, etag);
    assert.match(String(hit.headers.date), /GMT$/);
    assert.equal(hit.headers['strict-transport-security'], undefined, 'no hsts configured');
    const notModified = await h2Get(session, '/page.html', { 'if-none-match': etag });
    assert.equal(notModified.headers[':status'], 304);
    assert.equal(notModified.body, '');
    assert.equal(notModified.headers.etag, etag);

    // HTTP/1.1 on the same binding: the entry the h2 responses made.
    const http1 = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = httpsRequest(
        { host: '127.0.0.1', port: httpsPort, path: '/page.html', servername: 'www.example.test', headers: { host: `www.example.test:${httpsPort}` }, ca: readFileSync(authority.caFile), timeout: 3_000 },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => resolve({ status: response.statusCode!, body: Buffer.concat(chunks).toString() }));
        },
      );
      request.on('timeout', () => request.destroy(new Error('timed out: the stopped worker was asked')));
      request.on('error', reject);
      request.end();
    });
    assert.deepEqual(http1, { status: 200, body: page });
  });
  const [entry] = (await cacheState(poolhost)).entries;
  assert.equal(entry!['Hit count'], '3');

  // 2 h2 lines from the worker, 2 h2 hits and 1 HTTP/1.1 hit written by httpsys.
  await waitFor('the hits to be logged', () => w3cRecords(poolhost).filter((record) => record['cs-uri-stem'] === '/page.html').length === 5, 10_000);
  const lines = w3cRecords(poolhost).filter((record) => record['cs-uri-stem'] === '/page.html');
  assert.deepEqual(lines.map((record) => `${record['cs-version']} ${record['sc-status']}`).sort(), ['HTTP/1.1 200', 'HTTP/2.0 200', 'HTTP/2.0 200', 'HTTP/2.0 200', 'HTTP/2.0 304']);
});
