// HTTP/2's known attacks, written as raw frames: each connection ends (GOAWAY or close) within a bound,
// without httpsys buffering what the attacker sends, and httpsys goes on serving h2 and HTTP/1.1 after
// every one of them. Each leaves the one HTTPERR line an administrator would see for that connection
// (its client port, cs-version HTTP/2.0, no status): `Http2_Flood` for floods, `BadRequest` for a
// protocol violation — including those nghttp2 answers with its own GOAWAY without Node saying so.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../support/http.js';
import { readHttpErr, type HttpErrEntry } from '../reliability/support/raw-client.js';
import { waitFor } from '../support/wait.js';
import { curl, startHttp2Site, type Http2Site } from './http2-support.js';
import { END_HEADERS, END_STREAM, FrameType, frame, getBlock, hpackInteger, indexedLiteral, literal, rawSession, writeAll } from './raw-h2.js';

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

/** The HTTPERR lines of one attacker's connection (by its client port), once `count` are there. */
async function connectionLines(site: Http2Site, clientPort: number, label: string, count = 1): Promise<HttpErrEntry[]> {
  const httpErr = join(site.poolhost.root, 'logs', 'HTTPERR');
  const mine = () => readHttpErr(httpErr).filter((entry) => entry.clientPort === clientPort && entry.uri === '-');
  await waitFor(`${label}: the connection's HTTPERR line`, () => mine().length >= count, 15_000);
  return mine();
}

function assertConnectionLine(entry: HttpErrEntry, reason: string, label: string): void {
  assert.equal(entry.reason, reason, `${label}: ${entry.line}`);
  // date time c-ip c-port s-ip s-port cs-version cs-method cs-uri streamid sc-status s-siteid s-reason s-queuename
  assert.match(entry.line, new RegExp(` HTTP/2\\.0 - - - - - ${reason} -$`), `${label}: ${entry.line}`);
}

function httpsysRssKiB(site: Http2Site): number {
  const httpsys = site.poolhost.processes().find((info) => info.role === 'httpsys')!;
  const status = readFileSync(`/proc/${httpsys.pid}/status`, 'latin1');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

test('PING and SETTINGS floods: nghttp2 ends the connection, HTTPERR logs Http2_Flood once each, httpsys serves on', async () => {
  const site = await startHttp2Site({ httpsPort: await freePort(), httpPort: await freePort() }, after);
  for (const [label, type] of [['ping', FrameType.PING], ['settings', FrameType.SETTINGS]] as const) {
    const attacker = await rawSession(site.httpsPort, 'www.example.test');
    const clientPort = attacker.socket.localPort!;
    const payload = type === FrameType.PING ? Buffer.alloc(8, 7) : Buffer.alloc(0);
    const flood = Array.from({ length: 200 }, () => Buffer.concat(Array.from({ length: 500 }, () => frame(type, 0, 0, payload))));
    await writeAll(attacker.socket, flood);
    assert.ok(await closedWithin(attacker.closed, 20_000), `${label} flood: the server ended the connection`);
    const lines = await connectionLines(site, clientPort, `${label} flood`);
    assert.equal(lines.length, 1, `${label} flood: one line for the connection`);
    assertConnectionLine(lines[0]!, 'Http2_Flood', `${label} flood`);
    await stillServes(site, label);
  }
});

test('CONTINUATION flood and an HPACK bomb: the connection or stream ends, memory stays bounded, httpsys serves on', async () => {
  const site = await startHttp2Site({ httpsPort: await freePort(), httpPort: await freePort() }, after);
  const authority = `www.example.test:${site.httpsPort}`;
  const before = httpsysRssKiB(site);

  // CVE-2024-27316 family: HEADERS without END_HEADERS, then CONTINUATION frames without end.
  const continuation = await rawSession(site.httpsPort, 'www.example.test');
  const continuationPort = continuation.socket.localPort!;
  const filler = Buffer.concat(Array.from({ length: 200 }, (_, i) => Buffer.concat([Buffer.from([0x40]), hpackInteger(6, 7), Buffer.from(`x-f${String(i).padStart(3, '0')}`), hpackInteger(1000, 7), Buffer.alloc(1000, 97)])));
  const pieces = [frame(FrameType.HEADERS, END_STREAM, 1, getBlock('/continuation', authority))];
  for (let i = 0; i < 2000; i++) pieces.push(frame(FrameType.CONTINUATION, 0, 1, filler.subarray((i % 200) * 1008, (i % 200) * 1008 + 1008)));
  await writeAll(continuation.socket, pieces);
  assert.ok(await closedWithin(continuation.closed, 20_000), 'the endless header block ended the connection');
  // nghttp2 bounds the CONTINUATION frames of one block (CVE-2024-27316): "Too many CONTINUATION frames", a protocol error.
  const continuationLines = await connectionLines(site, continuationPort, 'CONTINUATION flood');
  assert.equal(continuationLines.length, 1, 'one line for the connection');
  assertConnectionLine(continuationLines[0]!, 'BadRequest', 'CONTINUATION flood');

  // HPACK bomb: one 4 KiB field in the dynamic table, then referenced thousands of times (1 byte each).
  const bomb = await rawSession(site.httpsPort, 'www.example.test');
  const block = Buffer.concat([getBlock('/bomb', authority), indexedLiteral('x-bomb', 'b'.repeat(4000)), Buffer.alloc(4000, 0x80 | 62)]);
  await writeAll(bomb.socket, [frame(FrameType.HEADERS, END_STREAM | END_HEADERS, 1, block)]);
  // Waited for (a fixed 1 s pause can be outrun on a loaded machine); a header list decoded into a request
  // would get an answer, neither RST_STREAM nor GOAWAY, and fail the check below.
  const refusedYet = () => bomb.received().includes(Buffer.from([FrameType.RST_STREAM])) || bomb.goawayCode() !== null || bomb.socket.destroyed;
  await waitFor('the HPACK bomb to be refused', refusedYet, 20_000).catch(() => undefined);
  assert.ok(refusedYet(), 'the 16 MB header list was refused (RST_STREAM or GOAWAY), never decoded into a request');
  bomb.socket.destroy();

  const grown = httpsysRssKiB(site) - before;
  assert.ok(grown < 64 * 1024, `httpsys grew ${grown} KiB over both attacks`);
  await stillServes(site, 'continuation');
});

test('protocol violations nghttp2 ends the connection for — with its own GOAWAY, silently to Node, or through an error — each log one BadRequest line', async () => {
  const site = await startHttp2Site({ httpsPort: await freePort(), httpPort: await freePort() }, after);
  const authority = `www.example.test:${site.httpsPort}`;
  const preface = Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1'), frame(FrameType.SETTINGS, 0, 0)]);
  const attacks: { label: string; frames: Buffer[]; opening?: Buffer; goaway: number | null }[] = [
    // nghttp2's own GOAWAY, no Node event (found by httpsys' sweep).
    { label: 'DATA on stream 0', frames: [frame(FrameType.DATA, 0, 0, Buffer.alloc(4))], goaway: 1 /* PROTOCOL_ERROR */ },
    { label: 'undecodable HPACK', frames: [frame(FrameType.HEADERS, END_STREAM | END_HEADERS, 1, Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]))], goaway: 9 /* COMPRESSION_ERROR */ },
    { label: 'frame over SETTINGS_MAX_FRAME_SIZE', frames: [frame(FrameType.PING, 0, 0, Buffer.alloc(20_000))], goaway: 6 /* FRAME_SIZE_ERROR */ },
    { label: 'CONTINUATION without HEADERS', frames: [frame(FrameType.CONTINUATION, END_HEADERS, 1, getBlock('/orphan', authority))], goaway: 1 },
    // nghttp2 errors Node reports on the session ('error' ERR_HTTP2_ERROR).
    { label: 'connection window overflow', frames: [frame(FrameType.WINDOW_UPDATE, 0, 0, Buffer.from([0x7f, 0xff, 0xff, 0xff]))], goaway: null },
    { label: 'a stream id the server would use', frames: [frame(FrameType.HEADERS, END_STREAM | END_HEADERS, 2, getBlock('/even', authority))], goaway: null },
    { label: 'an invalid preface', frames: [], opening: Buffer.from('GET / HTTP/1.1\r\nHost: www.example.test\r\n\r\n'), goaway: null },
  ];
  for (const attack of attacks) {
    const attacker = await rawSession(site.httpsPort, 'www.example.test', { preface: attack.opening ?? preface });
    const clientPort = attacker.socket.localPort!;
    await writeAll(attacker.socket, attack.frames);
    // The client does not close: httpsys must (nghttp2 alone would leave the socket open until the idle timer).
    assert.ok(await closedWithin(attacker.closed, 20_000), `${attack.label}: httpsys closed the connection`);
    if (attack.goaway !== null) assert.equal(attacker.goawayCode(), attack.goaway, `${attack.label}: nghttp2's GOAWAY`);
    else assert.notEqual(attacker.goawayCode(), null, `${attack.label}: a GOAWAY`);
    const lines = await connectionLines(site, clientPort, attack.label);
    assert.equal(lines.length, 1, `${attack.label}: one line for the connection`);
    assertConnectionLine(lines[0]!, 'BadRequest', attack.label);
  }
  await stillServes(site, 'violations');
});

test("a HEADERS flood past SETTINGS_MAX_CONCURRENT_STREAMS: refused streams until Node's invalid-frame bound, then one Http2_Flood line", async () => {
  const site = await startHttp2Site({ httpsPort: await freePort(), httpPort: await freePort(), httpSys: { http2MaxConcurrentStreams: '10' } }, after);
  const authority = `www.example.test:${site.httpsPort}`;
  const attacker = await rawSession(site.httpsPort, 'www.example.test');
  const clientPort = attacker.socket.localPort!;
  // Requests whose bodies never come (no END_STREAM): the first ten stay open, every later one is refused.
  const post = (id: number) => frame(FrameType.HEADERS, END_HEADERS, id, Buffer.concat([Buffer.from([0x83, 0x87]), literal(':path', `/flood-${id}`), literal(':authority', authority)]));
  await writeAll(attacker.socket, Array.from({ length: 3000 }, (_, i) => post(2 * i + 1)));
  assert.ok(await closedWithin(attacker.closed, 20_000), 'httpsys closed the connection');
  const lines = await connectionLines(site, clientPort, 'HEADERS flood');
  assert.equal(lines.length, 1, 'one line for the connection');
  assertConnectionLine(lines[0]!, 'Http2_Flood', 'HEADERS flood');
  await stillServes(site, 'headers-flood');
});
