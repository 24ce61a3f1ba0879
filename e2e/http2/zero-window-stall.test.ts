// A client that opens no flow-control window (SETTINGS_INITIAL_WINDOW_SIZE 0) for a large streamed
// response: httpsys holds about one data-plane window of it (credit goes back to the worker only as the
// h2 stream drains), and MinBytesPerSecond ends the stream with RST_STREAM and an HTTPERR
// `Timer_MinBytesPerSecond` line carrying its stream id — the connection and its other streams go on.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:http2';
import { freePort } from '../support/http.js';
import { waitFor } from '../support/wait.js';
import { readHttpErr } from '../reliability/support/raw-client.js';
import { startHttp2Site, type Http2Site } from './http2-support.js';

function httpsysRssKiB(site: Http2Site): number {
  const httpsys = site.poolhost.processes().find((info) => info.role === 'httpsys')!;
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${httpsys.pid}/status`, 'latin1'))?.[1] ?? 0);
}

test('zero-window stall: httpsys holds about one window, MinBytesPerSecond resets the stream (Timer_MinBytesPerSecond); the connection serves on', async () => {
  const site = await startHttp2Site({ httpsPort: await freePort(), httpPort: await freePort(), webLimits: { minBytesPerSecond: '100000' } }, after);
  const session = connect(`https://www.example.test:${site.httpsPort}`, {
    ca: readFileSync(site.authority.caFile),
    servername: 'www.example.test',
    host: '127.0.0.1',
    settings: { initialWindowSize: 0 },
  } as Parameters<typeof connect>[1] & { host: string });
  session.on('error', () => {});
  after(() => session.destroy());
  await new Promise<void>((resolve) => session.on('connect', () => resolve()));
  const before = httpsysRssKiB(site);

  const stalled = session.request({ ':path': `/stream?bytes=${64 * 1024 * 1024}` });
  stalled.on('error', () => {});
  let status = 0;
  stalled.on('response', (headers) => (status = Number(headers[':status'])));
  const rstCode = await new Promise<number>((resolve) => stalled.on('close', () => resolve(stalled.rstCode ?? -1)));
  assert.equal(status, 200, 'the head went out (HEADERS are not flow-controlled)');
  assert.notEqual(rstCode, 0, 'the stream was reset, not completed');
  const grown = httpsysRssKiB(site) - before;
  assert.ok(grown < 16 * 1024, `httpsys grew ${grown} KiB for a 64 MiB response nobody read`);

  const httpErr = join(site.poolhost.root, 'logs', 'HTTPERR');
  await waitFor('the Timer_MinBytesPerSecond line', () => readHttpErr(httpErr).some((entry) => entry.reason === 'Timer_MinBytesPerSecond'), 10_000);
  const line = readHttpErr(httpErr).find((entry) => entry.reason === 'Timer_MinBytesPerSecond')!.line;
  assert.match(line, / HTTP\/2\.0 GET \/stream\?bytes=67108864 1 /, `HTTP/2.0 and the stream id: ${line}`);

  // The connection itself is fine: a response without body bytes needs no window.
  const empty = session.request({ ':path': '/big?bytes=0' });
  const emptyStatus = await new Promise<number>((resolve) => empty.on('response', (headers) => resolve(Number(headers[':status']))));
  assert.equal(emptyStatus, 200);
  assert.equal(session.destroyed, false);
});
