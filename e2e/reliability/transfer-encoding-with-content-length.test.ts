// Transfer-Encoding: chunked together with Content-Length: HTTP.SYS takes the request, Transfer-Encoding
// overriding (RFC 9112 §6.3). The worker sees the chunked body and no Content-Length, the connection is
// closed after the response (RFC 9112 §6.1), and bytes that the Content-Length reading would have taken
// for a second request are never read as one.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startPoolhost } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort } from '../support/http.js';
import { rawExchange, readHttpErr } from './support/raw-client.js';

/** Records what reached it: method, URL, the framing headers it saw, and the body. */
const framingRecorderApp = `
const fs = require('node:fs');
module.exports = (req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('latin1');
    const seen = [req.method, req.url, 'cl=' + (req.headers['content-length'] ?? '-'), 'te=' + (req.headers['transfer-encoding'] ?? '-'), 'body=' + body];
    fs.appendFileSync(process.env.RECORD_FILE, seen.join(' ') + '\\n');
    res.end('got ' + body);
  });
};
`;

const CRLF = '\r\n';

test('Transfer-Encoding: chunked with Content-Length is served with the chunked body, without Content-Length, and the connection closes', async () => {
  const port = await freePort();
  const poolhost = await startPoolhost(
    {
      config: applicationHostConfig({
        pools: [{ name: 'Recorder', environmentVariables: { RECORD_FILE: '{{root}}/received.log' } }],
        sites: [{ name: 'Framing', id: 1, bindings: [`127.0.0.1:${port}:`], applications: [{ path: '/', pool: 'Recorder', physicalPath: '{{root}}/app' }] }],
      }),
      files: { 'app/server.js': framingRecorderApp },
      waitForPort: port,
    },
    after,
  );
  const cases: Array<{ path: string; bytes: string }> = [];
  for (const order of ['CL.TE', 'TE.CL']) {
    for (const spelling of ['chunked', 'Chunked', 'CHUNKED']) {
      for (const contentLength of ['0', '4', '64']) {
        const path = `/te-${cases.length + 1}`;
        const cl = `Content-Length: ${contentLength}`;
        const te = `Transfer-Encoding: ${spelling}`;
        const headers = ['Host: localhost', ...(order === 'CL.TE' ? [cl, te] : [te, cl])];
        // What a Content-Length reading would take as the start of a second request follows the chunked body.
        const bytes = `POST ${path} HTTP/1.1${CRLF}${headers.map((header) => header + CRLF).join('')}${CRLF}5${CRLF}hello${CRLF}0${CRLF}${CRLF}GET /smuggled${path} HTTP/1.1${CRLF}Host: localhost${CRLF}${CRLF}`;
        cases.push({ path, bytes });
      }
    }
  }
  for (const { path, bytes } of cases) {
    const exchange = await rawExchange(port, bytes);
    assert.equal(exchange.status, 200, `${path}: ${exchange.response.slice(0, 200)}`);
    assert.match(exchange.response, /\r\nConnection: close\r\n/i, `${path}: the response says the connection closes`);
    assert.ok(exchange.response.endsWith('got hello'), `${path}: one response, the chunked body's: ${JSON.stringify(exchange.response.slice(-40))}`);
    assert.equal(exchange.response.match(/HTTP\/1\.1 /g)?.length, 1, `${path}: nothing after the first request was answered`);
    assert.ok(exchange.closedByServer, `${path}: closed by the server`);
  }
  const received = readFileSync(join(poolhost.root, 'received.log'), 'utf8').trim().split('\n');
  assert.deepEqual(
    received,
    cases.map(({ path }) => `POST ${path} cl=- te=chunked body=hello`).map((line, index) => line.replace('te=chunked', `te=${['chunked', 'Chunked', 'CHUNKED'][Math.floor(index / 3) % 3]}`)),
    'each reached the worker once, with its chunked body and no Content-Length; no smuggled request did',
  );
  const httpErr = join(poolhost.root, 'logs', 'HTTPERR');
  assert.equal(existsSync(httpErr) ? readHttpErr(httpErr).length : 0, 0, 'no HTTPERR line: none was refused');
});
