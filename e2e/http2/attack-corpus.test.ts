// HTTP/2's known attacks, written as raw frames: each connection ends (GOAWAY or close) within a bound,
// without httpsys buffering what the attacker sends, and httpsys goes on serving h2 and HTTP/1.1 after
// every one of them.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../support/http.js';
import { readHttpErr } from '../reliability/support/raw-client.js';
import { waitFor } from '../support/wait.js';
import { curl, startHttp2Site, type Http2Site } from './http2-support.js';
import { END_HEADERS, END_STREAM, FrameType, frame, getBlock, hpackInteger, indexedLiteral, rawSession, writeAll } from './raw-h2.js';

async function stillServes(site: Http2Site, label: string): Promise<void> {
  const h2 = await curl(site, `/after-${label}`, ['--http2']);
  assert.equal(h2.version, 'HTTP/2', `${label}: ${h2.stderr}`);
  assert.match(h2.body, new RegExp(`^2\\.0 GET /after-${label} `));
  const h1 = await curl(site, `/after-${label}`, ['--http1.1']);
  assert.match(h1.body, new RegExp(`^1\\.1 GET /after-${label} `));
}

async function closedWithin(closed: Promise<void>, ms: number): Promise<boolean> {
  return Promise.race([closed.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms))]);
}

function httpsysRssKiB(site: Http2Site): number {
  const httpsys = site.poolhost.processes().find((info) => info.role === 'httpsys')!;
  const status = readFileSync(`/proc/${httpsys.pid}/status`, 'latin1');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

test('PING and SETTINGS floods: nghttp2 ends the connection, HTTPERR logs Http2_Flood once each, httpsys serves on', async () => {
  const site = await startHttp2Site({ httpsPort: await freePort(), httpPort: await freePort() }, after);
  let count = 1;
  for (const [label, type] of [['ping', FrameType.PING], ['settings', FrameType.SETTINGS]] as const) {
    const attacker = await rawSession(site.httpsPort, 'www.example.test');
    const payload = type === FrameType.PING ? Buffer.alloc(8, 7) : Buffer.alloc(0);
    const flood = Array.from({ length: 200 }, () => Buffer.concat(Array.from({ length: 500 }, () => frame(type, 0, 0, payload))));
    await writeAll(attacker.socket, flood);
    assert.ok(await closedWithin(attacker.closed, 20_000), `${label} flood: the server ended the connection`);
    const httpErr = join(site.poolhost.root, 'logs', 'HTTPERR');
    await waitFor(`${label} flood: an HTTPERR line`, () => readHttpErr(httpErr).filter((entry) => entry.reason.startsWith('Http2_')).length >= count, 10_000);
    assert.equal(readHttpErr(httpErr).at(-1)!.reason, 'Http2_Flood');
    assert.match(readHttpErr(httpErr).at(-1)!.line, / HTTP\/2\.0 /);
    count++;
    await stillServes(site, label);
  }
});

test('CONTINUATION flood and an HPACK bomb: the connection or stream ends, memory stays bounded, httpsys serves on', async () => {
  const site = await startHttp2Site({ httpsPort: await freePort(), httpPort: await freePort() }, after);
  const authority = `www.example.test:${site.httpsPort}`;
  const before = httpsysRssKiB(site);

  // CVE-2024-27316 family: HEADERS without END_HEADERS, then CONTINUATION frames without end.
  const continuation = await rawSession(site.httpsPort, 'www.example.test');
  const filler = Buffer.concat(Array.from({ length: 200 }, (_, i) => Buffer.concat([Buffer.from([0x40]), hpackInteger(6, 7), Buffer.from(`x-f${String(i).padStart(3, '0')}`), hpackInteger(1000, 7), Buffer.alloc(1000, 97)])));
  const pieces = [frame(FrameType.HEADERS, END_STREAM, 1, getBlock('/continuation', authority))];
  for (let i = 0; i < 2000; i++) pieces.push(frame(FrameType.CONTINUATION, 0, 1, filler.subarray((i % 200) * 1008, (i % 200) * 1008 + 1008)));
  await writeAll(continuation.socket, pieces);
  assert.ok(await closedWithin(continuation.closed, 20_000), 'the endless header block ended the connection');

  // HPACK bomb: one 4 KiB field in the dynamic table, then referenced thousands of times (1 byte each).
  const bomb = await rawSession(site.httpsPort, 'www.example.test');
  const block = Buffer.concat([getBlock('/bomb', authority), indexedLiteral('x-bomb', 'b'.repeat(4000)), Buffer.alloc(4000, 0x80 | 62)]);
  await writeAll(bomb.socket, [frame(FrameType.HEADERS, END_STREAM | END_HEADERS, 1, block)]);
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const answer = bomb.received();
  const refused = answer.includes(Buffer.from([FrameType.RST_STREAM])) || bomb.goawayCode() !== null || bomb.socket.destroyed;
  assert.ok(refused, 'the 16 MB header list was refused (RST_STREAM or GOAWAY), never decoded into a request');
  bomb.socket.destroy();

  const grown = httpsysRssKiB(site) - before;
  assert.ok(grown < 64 * 1024, `httpsys grew ${grown} KiB over both attacks`);
  await stillServes(site, 'continuation');
});
