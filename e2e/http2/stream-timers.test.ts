// HTTP/2's per-stream timers, with short configured limits: a header block that never completes (HEADERS
// then a CONTINUATION frame whose bytes drip in, never END_HEADERS) is cut after webLimits headerWaitTimeout —
// GOAWAY, HTTPERR `Timer_HeaderWait` with its stream id — although bytes keep arriving; a request body
// that stops making progress is reset after the site's connectionTimeout (EntityBody) — RST_STREAM,
// HTTPERR `Timer_EntityBody` with its stream id — while the connection and its other streams go on.
// And the HPACK table size: SETTINGS_HEADER_TABLE_SIZE is the configured one and is enforced.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { constants } from 'node:http2';
import { freePort } from '../support/http.js';
import { waitFor } from '../support/wait.js';
import { readHttpErr } from '../reliability/support/raw-client.js';
import { curl, h2Session, startHttp2Site, versionApp } from './http2-support.js';
import { END_HEADERS, END_STREAM, FrameType, frame, getBlock, literal, rawSession } from './raw-h2.js';

/** HTTPERR's streamid field (the tenth). */
function streamIdOf(line: string): string {
  return line.split(' ')[9]!;
}

/** The frames in `data` (type, flags, stream id, payload). */
function framesIn(data: Buffer): { type: number; flags: number; streamId: number; payload: Buffer }[] {
  const frames = [];
  for (let at = 0; at + 9 <= data.length; ) {
    const length = data.readUIntBE(at, 3);
    if (at + 9 + length > data.length) break;
    frames.push({ type: data[at + 3]!, flags: data[at + 4]!, streamId: data.readUInt32BE(at + 5) & 0x7fffffff, payload: data.subarray(at + 9, at + 9 + length) });
    at += 9 + length;
  }
  return frames;
}

test('header timer: a header block still dripping in after headerWaitTimeout ends its connection (Timer_HeaderWait, stream id); httpsys serves on', async () => {
  const site = await startHttp2Site(
    { httpsPort: await freePort(), httpPort: await freePort(), webLimits: { headerWaitTimeout: '00:00:03', connectionTimeout: '00:01:00' } },
    after,
  );
  const authority = `www.example.test:${site.httpsPort}`;
  const client = await rawSession(site.httpsPort, 'www.example.test');
  after(() => client.socket.destroy());
  // Stream 1 completes; stream 3's block starts, then one CONTINUATION frame whose bytes drip in, 8 every
  // 300 ms, never all of them (byte by byte, so nghttp2's limit of CONTINUATION frames per block is no help).
  client.socket.write(frame(FrameType.HEADERS, END_STREAM | END_HEADERS, 1, getBlock('/first', authority)));
  client.socket.write(frame(FrameType.HEADERS, END_STREAM, 3, getBlock('/slow', authority)));
  const continuation = frame(FrameType.CONTINUATION, 0, 3, Buffer.concat(Array.from({ length: 100 }, (_, i) => literal(`x-drip-${i}`, 'x'))));
  const startedAt = Date.now();
  let sent = 0;
  const drip = setInterval(() => {
    if (client.socket.destroyed || sent + 8 >= continuation.length) return;
    client.socket.write(continuation.subarray(sent, sent + 8));
    sent += 8;
  }, 300);
  after(() => clearInterval(drip));
  await Promise.race([client.closed, new Promise((resolve) => setTimeout(resolve, 30_000))]);
  clearInterval(drip);
  assert.ok(client.socket.destroyed || client.socket.readableEnded, 'the connection was closed');
  const elapsed = Date.now() - startedAt;
  assert.ok(elapsed >= 2_900, `not before headerWaitTimeout (${elapsed} ms)`);
  assert.ok(sent >= 16, `bytes of the block kept arriving meanwhile (${sent})`);
  const frames = framesIn(client.received());
  assert.ok(frames.some((f) => f.type === FrameType.HEADERS && f.streamId === 1), 'stream 1 was answered');
  const goaway = frames.find((f) => f.type === FrameType.GOAWAY);
  assert.ok(goaway, 'GOAWAY was sent');
  assert.equal(goaway.payload.readUInt32BE(0) & 0x7fffffff, 1, 'GOAWAY names stream 1 as the last one processed');

  const httpErr = join(site.poolhost.root, 'logs', 'HTTPERR');
  await waitFor('a Timer_HeaderWait line', () => readHttpErr(httpErr).some((entry) => entry.reason === 'Timer_HeaderWait'), 10_000);
  const line = readHttpErr(httpErr).find((entry) => entry.reason === 'Timer_HeaderWait')!.line;
  assert.equal(streamIdOf(line), '3');
  assert.match(line, / HTTP\/2\.0 /);
  const after2 = await curl(site, '/after', ['--http2']);
  assert.match(after2.body, /^2\.0 GET \/after /);
});

test('idle timer: a request body that stops is reset after connectionTimeout (Timer_EntityBody, stream id); the connection serves on', async () => {
  const site = await startHttp2Site(
    { httpsPort: await freePort(), httpPort: await freePort(), app: versionApp, siteLimits: { connectionTimeout: '00:00:03' }, webLimits: { connectionTimeout: '00:01:00' } },
    after,
  );
  const session = await h2Session(site);
  after(() => session.destroy());

  const stalled = session.request({ ':method': 'POST', ':path': '/upload' });
  stalled.on('error', () => {});
  stalled.write(Buffer.alloc(1000, 97)); // and then nothing more, never END_STREAM
  const startedAt = Date.now();
  const rstCode = await new Promise<number>((resolve) => stalled.on('close', () => resolve(stalled.rstCode ?? -1)));
  const elapsed = Date.now() - startedAt;
  assert.equal(rstCode, constants.NGHTTP2_CANCEL, 'RST_STREAM CANCEL');
  assert.ok(elapsed >= 2_900, `not before connectionTimeout (${elapsed} ms)`);

  const httpErr = join(site.poolhost.root, 'logs', 'HTTPERR');
  await waitFor('a Timer_EntityBody line', () => readHttpErr(httpErr).some((entry) => entry.reason === 'Timer_EntityBody'), 10_000);
  const entry = readHttpErr(httpErr).find((candidate) => candidate.reason === 'Timer_EntityBody')!;
  assert.equal(streamIdOf(entry.line), String(stalled.id));
  assert.equal(entry.method, 'POST');
  assert.equal(entry.uri, '/upload');

  // The same connection goes on: a slow but steady upload (a piece a second, under the timeout) completes.
  const steady = session.request({ ':method': 'POST', ':path': '/steady' });
  let body = '';
  steady.setEncoding('utf8');
  steady.on('data', (chunk: string) => (body += chunk));
  for (let i = 0; i < 5; i++) {
    steady.write(Buffer.alloc(100, 98));
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  steady.end();
  await new Promise<void>((resolve) => steady.on('close', () => resolve()));
  assert.equal(steady.rstCode, constants.NGHTTP2_NO_ERROR);
  assert.match(body, /^2\.0 POST \/steady 500 /);
  assert.equal(readHttpErr(httpErr).filter((candidate) => candidate.reason === 'Timer_EntityBody').length, 1);
});

test('HPACK table size: SETTINGS_HEADER_TABLE_SIZE is httpSys http2HeaderTableSize; a client that grows its table past it gets GOAWAY COMPRESSION_ERROR, the connection closed and one BadRequest line', async () => {
  const site = await startHttp2Site({ httpsPort: await freePort(), httpPort: await freePort(), httpSys: { http2HeaderTableSize: '1024' } }, after);
  const client = await rawSession(site.httpsPort, 'www.example.test');
  const clientPort = client.socket.localPort!;
  after(() => client.socket.destroy());
  await waitFor('the server\'s SETTINGS', () => framesIn(client.received()).some((f) => f.type === FrameType.SETTINGS && (f.flags & 1) === 0), 10_000);
  const settings = framesIn(client.received()).find((f) => f.type === FrameType.SETTINGS && (f.flags & 1) === 0)!;
  const values = new Map<number, number>();
  for (let at = 0; at + 6 <= settings.payload.length; at += 6) values.set(settings.payload.readUInt16BE(at), settings.payload.readUInt32BE(at + 2));
  assert.equal(values.get(0x1), 1024, 'SETTINGS_HEADER_TABLE_SIZE');

  // A dynamic table size update to 65536 (RFC 7541 §6.3) beyond the 1024 allowed: a compression error.
  const update = Buffer.from([0x3f, 0xe1, 0xff, 0x03]);
  client.socket.write(frame(FrameType.HEADERS, END_STREAM | END_HEADERS, 1, Buffer.concat([update, getBlock('/grown', `www.example.test:${site.httpsPort}`)])));
  await waitFor('GOAWAY', () => client.goawayCode() !== null, 10_000);
  assert.equal(client.goawayCode(), constants.NGHTTP2_COMPRESSION_ERROR);
  // nghttp2's own GOAWAY, of which Node says nothing: httpsys' sweep closes the connection and logs it.
  await client.closed;
  const httpErr = join(site.poolhost.root, 'logs', 'HTTPERR');
  await waitFor('the BadRequest line', () => readHttpErr(httpErr).some((entry) => entry.clientPort === clientPort), 10_000);
  const lines = readHttpErr(httpErr).filter((entry) => entry.clientPort === clientPort);
  assert.equal(lines.length, 1, lines.map((entry) => entry.line).join('\n'));
  assert.match(lines[0]!.line, / HTTP\/2\.0 - - - - - BadRequest -$/);
  const h2 = await curl(site, '/after', ['--http2']);
  assert.match(h2.body, /^2\.0 GET \/after /);
});
