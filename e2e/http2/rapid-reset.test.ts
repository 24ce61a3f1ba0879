// CVE-2023-44487 (rapid reset): a client that opens streams and cancels them at once gets its connection
// cut — GOAWAY ENHANCE_YOUR_CALM, an HTTPERR `Http2_RapidReset` line — once it passes httpSys
// http2MaxStreamResetsPerMinute; the requests it cancelled never pile up on the worker, and httpsys goes
// on serving h2 to everyone else.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { connect, constants } from 'node:http2';
import { freePort } from '../support/http.js';
import { waitFor } from '../support/wait.js';
import { readHttpErr } from '../reliability/support/raw-client.js';
import { curl, startHttp2Site } from './http2-support.js';

const slowApp = "module.exports = (req, res) => setTimeout(() => res.end('late'), 2000);";

test('rapid reset: streams opened and cancelled past the limit cut the connection with ENHANCE_YOUR_CALM; others are still served', async () => {
  const site = await startHttp2Site(
    { httpsPort: await freePort(), httpPort: await freePort(), app: slowApp, httpSys: { http2MaxStreamResetsPerMinute: '20' } },
    after,
  );
  const warm = await curl(site, '/warm', ['--http2']);
  assert.equal(warm.body, 'late', warm.stderr);

  const session = connect(`https://www.example.test:${site.httpsPort}`, {
    ca: await import('node:fs').then((fs) => fs.readFileSync(site.authority.caFile)),
    servername: 'www.example.test',
    host: '127.0.0.1',
  } as Parameters<typeof connect>[1] & { host: string });
  const goaway = new Promise<number>((resolve) => session.on('goaway', (code: number) => resolve(code)));
  const closed = new Promise<void>((resolve) => session.on('close', () => resolve()));
  session.on('error', () => {});
  await new Promise<void>((resolve) => session.on('connect', () => resolve()));
  let opened = 0;
  for (let i = 0; i < 200 && !session.destroyed && !session.closed; i++) {
    const stream = session.request({ ':path': `/reset-${i}` });
    stream.on('error', () => {});
    opened++;
    // Cancelled once the server has it (a round trip later), as the attack does.
    setTimeout(() => stream.close(constants.NGHTTP2_CANCEL), 5);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.equal(await goaway, constants.NGHTTP2_ENHANCE_YOUR_CALM, 'the server said ENHANCE_YOUR_CALM');
  await closed;
  assert.ok(opened < 200, `the connection was cut before the client finished (${opened} streams opened)`);

  const httpErr = join(site.poolhost.root, 'logs', 'HTTPERR');
  await waitFor('the Http2_RapidReset line', () => readHttpErr(httpErr).some((entry) => entry.reason === 'Http2_RapidReset'), 10_000);
  assert.equal(readHttpErr(httpErr).filter((entry) => entry.reason === 'Http2_RapidReset').length, 1, 'one line for the one connection');
  assert.ok(readHttpErr(httpErr).some((entry) => entry.reason === 'Connection_Dropped' && entry.line.includes(' HTTP/2.0 GET /reset-')), 'each cancelled request that reached a worker is logged as dropped');
  assert.ok(site.poolhost.logLines.some((line) => line.service === 'httpsys' && String(line.msg).startsWith('HTTP/2 connection from 127.0.0.1 cut')), 'a warning in the log');

  const after2 = await curl(site, '/after', ['--http2']);
  assert.equal(after2.version, 'HTTP/2');
  assert.equal(after2.body, 'late', 'httpsys still serves h2');
});
