// How httpsys tells a session nghttp2 ended for the client's protocol violation, on Node's own http2
// server and raw frames over a local socket: the silent GOAWAY (no event, socket left open) is seen
// through the session handle's hasPendingData(); the 'error' cases map to HTTPERR reasons.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type ServerHttp2Session } from 'node:http2';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { canDetectNghttp2Termination, endedByNghttp2, sessionErrorReason } from '../../src/http2/nghttp2-session-end.js';

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

function frame(type: number, flags: number, streamId: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(9);
  head.writeUIntBE(payload.length, 0, 3);
  head[3] = type;
  head[4] = flags;
  head.writeUInt32BE(streamId, 5);
  return Buffer.concat([head, payload]);
}

/** A server session and the raw client socket that opened it (preface and SETTINGS sent). */
async function rawPair(): Promise<{ session: ServerHttp2Session; socket: Socket; received: () => Buffer; done: () => void }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const sessionReady = new Promise<ServerHttp2Session>((resolve) => server.once('session', resolve));
  const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('error', () => {});
  socket.write(Buffer.concat([PREFACE, frame(4, 0, 0)]));
  const session = await sessionReady;
  session.on('error', () => {});
  return {
    session,
    socket,
    received: () => Buffer.concat(chunks),
    done: () => {
      socket.destroy();
      session.destroy();
      server.close();
    },
  };
}

async function settle(predicate: () => boolean): Promise<boolean> {
  for (let i = 0; i < 1000 && !predicate(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  return predicate();
}

function goawayCode(data: Buffer): number | null {
  for (let at = 0; at + 9 <= data.length; at += 9 + data.readUIntBE(at, 3)) {
    if (data[at + 3] === 7 && at + 17 <= data.length) return data.readUInt32BE(at + 13);
  }
  return null;
}

test('a healthy session is not ended; DATA on stream 0 ends it silently (GOAWAY PROTOCOL_ERROR) and endedByNghttp2 says so', async () => {
  const pair = await rawPair();
  try {
    assert.ok(canDetectNghttp2Termination(pair.session), 'this Node exposes the session handle hasPendingData()');
    // A round trip: the server's SETTINGS reached the client, so the session is established.
    assert.ok(await settle(() => pair.received().length > 0));
    assert.equal(endedByNghttp2(pair.session), false);
    let events = 0;
    pair.session.on('error', () => events++);
    pair.session.on('close', () => events++);
    pair.socket.write(frame(0, 0, 0, Buffer.alloc(4)));
    assert.ok(await settle(() => goawayCode(pair.received()) !== null), 'nghttp2 sent GOAWAY');
    assert.equal(goawayCode(pair.received()), 1, 'PROTOCOL_ERROR');
    assert.ok(await settle(() => endedByNghttp2(pair.session)));
    assert.equal(events, 0, 'Node emitted nothing: only the probe tells');
    assert.equal(pair.session.destroyed, false);
  } finally {
    pair.done();
  }
});

test('an HPACK block nghttp2 cannot decode ends the session silently too (GOAWAY COMPRESSION_ERROR)', async () => {
  const pair = await rawPair();
  try {
    pair.socket.write(frame(1, 0x5, 1, Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f])));
    assert.ok(await settle(() => goawayCode(pair.received()) === 9), 'COMPRESSION_ERROR');
    assert.ok(await settle(() => endedByNghttp2(pair.session)));
  } finally {
    pair.done();
  }
});

test('a session closed gracefully (drain, idle) is not counted as ended by nghttp2', async () => {
  const pair = await rawPair();
  try {
    assert.ok(await settle(() => pair.received().length > 0));
    pair.session.close();
    assert.equal(endedByNghttp2(pair.session), false);
  } finally {
    pair.done();
  }
});

test('session errors: nghttp2 floods and too many invalid frames are Http2_Flood, other nghttp2 errors BadRequest, the client leaving is no cut-off', () => {
  const error = (code: string, message: string): NodeJS.ErrnoException => Object.assign(new Error(message), { code });
  assert.equal(sessionErrorReason(error('ERR_HTTP2_ERROR', 'Flooding was detected in this HTTP/2 session, and it must be closed')), 'Http2_Flood');
  assert.equal(sessionErrorReason(error('ERR_HTTP2_TOO_MANY_INVALID_FRAMES', 'Too many invalid HTTP/2 frames')), 'Http2_Flood');
  assert.equal(sessionErrorReason(error('ERR_HTTP2_ERROR', 'Protocol error')), 'BadRequest');
  assert.equal(sessionErrorReason(error('ERR_HTTP2_ERROR', 'Flow control error')), 'BadRequest');
  assert.equal(sessionErrorReason(error('ERR_HTTP2_ERROR', 'Received bad client magic byte string')), 'BadRequest');
  assert.equal(sessionErrorReason(error('ERR_HTTP2_SESSION_ERROR', 'Session closed with error code 1')), null, "the client's GOAWAY with an error code");
  assert.equal(sessionErrorReason(error('ECONNRESET', 'read ECONNRESET')), null);
});
