// RFC 8441 (extended CONNECT, WebSocket over HTTP/2) is not offered: httpsys never sends
// SETTINGS_ENABLE_CONNECT_PROTOCOL, so a `:protocol` pseudo-header makes a malformed request (RFC 8441 §3)
// and its stream is reset with PROTOCOL_ERROR; a plain CONNECT gets HTTP.SYS' 400 on its stream with an
// HTTPERR `URL` line, as over HTTP/1.1. The connection serves on after both; WebSocket stays on HTTP/1.1.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, constants } from 'node:http2';
import { freePort } from '../support/http.js';
import { waitFor } from '../support/wait.js';
import { httpSysErrorBody } from '../support/iis-bodies.js';
import { readHttpErr } from '../reliability/support/raw-client.js';
import { startHttp2Site } from './http2-support.js';
import { END_HEADERS, END_STREAM, FrameType, frame, getBlock, literal, rawSession } from './raw-h2.js';

const SETTINGS_ENABLE_CONNECT_PROTOCOL = 0x8;

test('extended CONNECT: never advertised, reset with PROTOCOL_ERROR; plain CONNECT: HTTP.SYS\' 400 on the stream (HTTPERR URL); the connection serves on', async () => {
  const site = await startHttp2Site({ httpsPort: await freePort(), httpPort: await freePort() }, after);
  const authority = `www.example.test:${site.httpsPort}`;

  const raw = await rawSession(site.httpsPort, 'www.example.test');
  after(() => raw.socket.destroy());
  // :method CONNECT, :protocol websocket, :scheme https, :path /chat, :authority — then a GET on stream 3.
  const extended = Buffer.concat([literal(':method', 'CONNECT'), literal(':protocol', 'websocket'), literal(':scheme', 'https'), literal(':path', '/chat'), literal(':authority', authority)]);
  raw.socket.write(frame(FrameType.HEADERS, END_HEADERS, 1, extended));
  raw.socket.write(frame(FrameType.HEADERS, END_STREAM | END_HEADERS, 3, getBlock('/after-extended-connect', authority)));
  const framesOf = () => {
    const data = raw.received();
    const frames: { type: number; streamId: number; payload: Buffer }[] = [];
    for (let at = 0; at + 9 <= data.length; ) {
      const length = data.readUIntBE(at, 3);
      if (at + 9 + length > data.length) break;
      frames.push({ type: data[at + 3]!, streamId: data.readUInt32BE(at + 5) & 0x7fffffff, payload: data.subarray(at + 9, at + 9 + length) });
      at += 9 + length;
    }
    return frames;
  };
  await waitFor('the GET on stream 3 is answered', () => framesOf().some((f) => f.type === FrameType.DATA && f.streamId === 3), 20_000);
  const frames = framesOf();
  const settings = frames.find((f) => f.type === FrameType.SETTINGS && f.payload.length > 0)!;
  for (let at = 0; at + 6 <= settings.payload.length; at += 6) {
    assert.notEqual(settings.payload.readUInt16BE(at), SETTINGS_ENABLE_CONNECT_PROTOCOL, 'SETTINGS_ENABLE_CONNECT_PROTOCOL is never advertised');
  }
  const reset = frames.find((f) => f.type === FrameType.RST_STREAM && f.streamId === 1);
  assert.ok(reset, 'the extended CONNECT stream was reset');
  assert.equal(reset.payload.readUInt32BE(0), constants.NGHTTP2_PROTOCOL_ERROR);
  assert.ok(!frames.some((f) => f.type === FrameType.HEADERS && f.streamId === 1), 'no response on it');
  assert.equal(raw.goawayCode(), null, 'the connection was not ended');

  // Node's own client sees the setting off and will not send `:protocol` at all.
  const session = connect(`https://${authority}`, { ca: readFileSync(site.authority.caFile), servername: 'www.example.test', host: '127.0.0.1' } as Parameters<typeof connect>[1] & { host: string });
  session.on('error', () => {});
  after(() => session.destroy());
  await new Promise<void>((resolve, reject) => {
    session.once('remoteSettings', () => resolve());
    session.once('close', () => reject(new Error('the h2 session closed before the server\'s SETTINGS arrived')));
  });
  assert.equal(session.remoteSettings.enableConnectProtocol, false);

  const tunnel = session.request({ ':method': 'CONNECT', ':authority': 'upstream.example:443' });
  tunnel.on('error', () => {});
  let status = 0;
  let body = '';
  tunnel.setEncoding('latin1');
  tunnel.on('response', (headers) => (status = Number(headers[':status'])));
  tunnel.on('data', (chunk: string) => (body += chunk));
  await new Promise<void>((resolve) => tunnel.on('end', () => resolve()));
  assert.equal(status, 400);
  assert.equal(body, httpSysErrorBody('Bad Request', 'Bad Request', 400, 'The request is badly formed.'));
  const httpErr = join(site.poolhost.root, 'logs', 'HTTPERR');
  await waitFor('the CONNECT\'s HTTPERR line', () => readHttpErr(httpErr).some((entry) => entry.method === 'CONNECT'), 30_000);
  const line = readHttpErr(httpErr).find((entry) => entry.method === 'CONNECT')!;
  assert.equal(line.reason, 'URL');
  assert.equal(line.status, '400');
  assert.equal(line.line.split(' ')[9], String(tunnel.id), 'with its stream id');

  const next = session.request({ ':path': '/after-connect' });
  let text = '';
  next.setEncoding('utf8');
  next.on('data', (chunk: string) => (text += chunk));
  await new Promise<void>((resolve) => next.on('end', () => resolve()));
  assert.match(text, /^2\.0 GET \/after-connect /);
});
