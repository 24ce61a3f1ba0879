// An HTTP/2 connection with no stream open for connectionTimeout is closed, with HTTPERR
// `Timer_ConnectionIdle` (HTTP/2.0), as an idle HTTP/1.1 keep-alive connection is; one with a request
// in progress is not.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type ClientHttp2Session } from 'node:http2';
import { freePort } from '../support/http.js';
import { waitFor } from '../support/wait.js';
import { readHttpErr } from '../reliability/support/raw-client.js';
import { startHttp2Site } from './http2-support.js';

function get(session: ClientHttp2Session, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':path': path });
    let text = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => (text += chunk));
    stream.on('end', () => resolve(text));
    stream.on('error', reject);
  });
}

test('an idle h2 connection is closed after connectionTimeout (Timer_ConnectionIdle); a slow request keeps its connection', async () => {
  const app = "module.exports = (req, res) => setTimeout(() => res.end('done ' + req.httpVersion), req.url === '/slow' ? 3500 : 0);";
  const site = await startHttp2Site({ httpsPort: await freePort(), httpPort: await freePort(), app, webLimits: { connectionTimeout: '00:00:02' } }, after);
  const open = () =>
    connect(`https://www.example.test:${site.httpsPort}`, {
      ca: readFileSync(site.authority.caFile),
      servername: 'www.example.test',
      host: '127.0.0.1',
    } as Parameters<typeof connect>[1] & { host: string });

  const busy = open();
  busy.on('error', () => {});
  after(() => busy.destroy());
  const busyClosed = new Promise<void>((resolve) => busy.on('close', () => resolve()));
  assert.equal(await get(busy, '/slow'), 'done 2.0', 'a request longer than connectionTimeout is not cut');

  const idle = open();
  idle.on('error', () => {});
  after(() => idle.destroy());
  const closed = new Promise<void>((resolve) => idle.on('close', () => resolve()));
  // Counted from before the request: the server's idle timer starts once the response has ended, which a
  // loaded machine can tell the test late (counting from the answer could come out short).
  const beforeRequest = Date.now();
  assert.equal(await get(idle, '/quick'), 'done 2.0');
  await closed;
  assert.ok(Date.now() - beforeRequest >= 1_500, 'not before connectionTimeout');
  await busyClosed; // and once its request is done, it is idle like any other
  const httpErr = join(site.poolhost.root, 'logs', 'HTTPERR');
  await waitFor('the Timer_ConnectionIdle lines', () => readHttpErr(httpErr).filter((entry) => entry.reason === 'Timer_ConnectionIdle').length === 2, 10_000);
  assert.match(readHttpErr(httpErr).find((entry) => entry.reason === 'Timer_ConnectionIdle')!.line, / HTTP\/2\.0 /);
});
