// HTTP/2 on https bindings (ALPN `h2`, HTTP.SYS' default), HTTP/1.1 for a binding whose sslFlags has 4,
// and h2c with prior knowledge on http bindings only where httpSys enableHttp2Cleartext says so.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { freePort } from '../support/http.js';
import { waitFor } from '../support/wait.js';
import { readHttpErr } from '../reliability/support/raw-client.js';
import { w3cRecords } from '../limits/limits-support.js';
import { curl, startHttp2Site } from './http2-support.js';

test('curl --http2 gets h2 by ALPN: the application sees HTTP/2.0, bodies go both ways, W3C logs cs-version HTTP/2.0, refusals are HTTP.SYS\'s with a stream id', async () => {
  const site = await startHttp2Site({ httpsPort: await freePort(), httpPort: await freePort() }, after);
  const get = await curl(site, '/hello?x=1', ['--http2']);
  assert.equal(get.code, 0, get.stderr);
  assert.equal(get.version, 'HTTP/2');
  assert.equal(get.status, 200);
  assert.equal(get.body, `2.0 GET /hello?x=1 0 www.example.test:${site.httpsPort}`, ':authority routes like Host and reaches the app as Host');

  const upload = await curl(site, '/upload', ['--http2', '--data-binary', `@${join(site.poolhost.root, 'sslcert.json')}`]);
  assert.equal(upload.version, 'HTTP/2');
  assert.match(upload.body, /^2\.0 POST \/upload \d+ /);
  assert.ok(Number(upload.body.split(' ')[3]) > 50, 'the request body reached the application');

  const big = await curl(site, '/big?bytes=3000000', ['--http2']);
  assert.equal(big.version, 'HTTP/2');
  assert.equal(big.body.length, 3_000_000, 'a response larger than every window arrives whole');

  const head = await curl(site, '/hello', ['--http2', '-I']);
  assert.equal(head.status, 200);
  assert.ok(!head.body.includes('HEAD /hello'), 'HEAD has no body');

  // HTTP.SYS answers itself over h2: a long field is 400 RequestTooLong … on the stream, with its body.
  const long = await curl(site, '/x', ['--http2', '-H', `X-Long: ${'a'.repeat(20_000)}`]);
  assert.equal(long.version, 'HTTP/2');
  assert.equal(long.status, 400);
  assert.match(long.body, /Bad Request - Request Too Long/);
  assert.match(long.headers, /server: Microsoft-HTTPAPI\/2\.0/i);

  const httpErr = join(site.poolhost.root, 'logs', 'HTTPERR');
  await waitFor('the HTTPERR line of the h2 refusal', () => readHttpErr(httpErr).some((entry) => entry.uri === '/x'), 10_000);
  const line = readHttpErr(httpErr).find((entry) => entry.uri === '/x')!;
  const fields = line.line.split(' ');
  assert.equal(fields[6], 'HTTP/2.0', line.line);
  assert.match(fields[9]!, /^\d+$/, `streamid is the h2 stream's: ${line.line}`);
  assert.equal(line.status, '400');

  await waitFor('W3C records', () => w3cRecords(site.poolhost.root).some((record) => record['cs-uri-stem'] === '/hello'), 15_000);
  const record = w3cRecords(site.poolhost.root).find((entry) => entry['cs-uri-stem'] === '/hello')!;
  assert.equal(record['cs-version'], 'HTTP/2.0');
  const versions = w3cRecords(site.poolhost.root).map((entry) => `${entry['cs-method']} ${entry['cs-uri-stem']} ${entry['cs-version']}`);
  assert.equal(versions.filter((entry) => entry === 'GET /hello HTTP/2.0').length, 1, `one W3C line per request: ${versions.join(', ')}`);
});

test('HTTP/1.1 fallback: a client without h2, and an https binding with sslFlags 4 (disable HTTP/2)', async () => {
  const site = await startHttp2Site({ httpsPort: await freePort(), httpPort: await freePort(), sslFlags: 1 | 4 }, after);
  const disabled = await curl(site, '/a', ['--http2']);
  assert.equal(disabled.code, 0, disabled.stderr);
  assert.equal(disabled.version, 'HTTP/1.1', 'ALPN never chooses h2 for this binding');
  assert.match(disabled.body, /^1\.1 GET \/a /);

  const other = await startHttp2Site({ httpsPort: await freePort(), httpPort: await freePort() }, after);
  const http1 = await curl(other, '/b', ['--http1.1']);
  assert.equal(http1.version, 'HTTP/1.1');
  assert.match(http1.body, /^1\.1 GET \/b /);
});

test('h2c with prior knowledge only where httpSys enableHttp2Cleartext is set; otherwise the preface is refused as before', async () => {
  const off = await startHttp2Site({ httpsPort: await freePort(), httpPort: await freePort() }, after);
  const refused = await curl(off, '/c', ['--http2-prior-knowledge'], 'http');
  assert.notEqual(refused.version, 'HTTP/2', 'h2c is off by default');

  const on = await startHttp2Site({ httpsPort: await freePort(), httpPort: await freePort(), httpSys: { enableHttp2Cleartext: 'true' } }, after);
  const h2c = await curl(on, '/c?y=2', ['--http2-prior-knowledge'], 'http');
  assert.equal(h2c.code, 0, h2c.stderr);
  assert.equal(h2c.version, 'HTTP/2');
  assert.match(h2c.body, /^2\.0 GET \/c\?y=2 0 127\.0\.0\.1:/);
  const plain = await curl(on, '/d', ['--http1.1'], 'http');
  assert.match(plain.body, /^1\.1 GET \/d /, 'HTTP/1.1 still works on the same binding');
});
