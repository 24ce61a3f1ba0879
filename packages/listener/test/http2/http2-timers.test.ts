// The per-stream timers' decisions, on fake sessions and streams: the header timer (a header block nghttp2
// began and httpsys has not seen complete) and the idle timer (EntityBody: no request body progress while
// httpsys reads).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerHttp2Session, ServerHttp2Stream } from 'node:http2';
import type { Socket } from 'node:net';
import { Http2ClientSession, type Http2SessionEvents } from '../../src/http2/http2-client-session.js';
import { Http2Exchange } from '../../src/http2/http2-exchange.js';
import { ReadBlock } from '../../src/connections/read-block.js';

const addresses = { clientIp: '127.0.0.1', clientPort: 50000, localIp: '127.0.0.1', localPort: 443, clientCertificate: null };
const events: Http2SessionEvents = { streamError() {}, requestFailed() {}, kernelCacheable: () => null };

function clientSession(state: { lastProcStreamID: number }): Http2ClientSession {
  const session = { state } as unknown as ServerHttp2Session;
  return new Http2ClientSession(session, {} as Socket, addresses, true, null, events);
}

test('header timer: expires only when the same header block has been in progress for headerWait', () => {
  const state = { lastProcStreamID: 0 };
  const client = clientSession(state);
  assert.equal(client.headerBlockExpired(1_000, 2_000), false, 'nothing begun');
  state.lastProcStreamID = 1;
  client.lastStreamSeen = 1;
  assert.equal(client.headerBlockExpired(2_000, 2_000), false, 'stream 1 reached httpsys: complete');
  state.lastProcStreamID = 3;
  assert.equal(client.headerBlockExpired(3_000, 2_000), false, 'stream 3 begun: the timer starts');
  assert.equal(client.headerBlockStream, 3);
  assert.equal(client.headerBlockExpired(4_999, 2_000), false);
  state.lastProcStreamID = 5;
  assert.equal(client.headerBlockExpired(5_000, 2_000), false, 'a newer block restarts it');
  assert.equal(client.headerBlockExpired(6_999, 2_000), false);
  assert.equal(client.headerBlockExpired(7_000, 2_000), true);
  client.lastStreamSeen = 5;
  assert.equal(client.headerBlockExpired(8_000, 2_000), false, 'complete after all');
  assert.equal(client.headerBlockStream, 0);
});

test('idle timer (EntityBody): re-armed by body bytes and while httpsys stops reading; off once the body is complete', () => {
  const stream = { pause() {}, resume() {}, destroyed: false } as unknown as ServerHttp2Stream;
  const exchange = new Http2Exchange(stream, clientSession({ lastProcStreamID: 0 }));
  assert.equal(exchange.entityBodyExpired(10_000, 1_000), false, 'no body: no timer');
  exchange.bodyStarted(0);
  assert.equal(exchange.entityBodyExpired(999, 1_000), false);
  assert.equal(exchange.entityBodyExpired(1_000, 1_000), true, 'nothing arrived within the timeout');
  exchange.bodyArrived(10);
  assert.equal(exchange.entityBodyExpired(1_500, 1_000), false, 'bytes arrived: re-armed');
  assert.equal(exchange.entityBodyExpired(2_499, 1_000), false);
  exchange.blockReading(ReadBlock.BodyWindow);
  assert.equal(exchange.entityBodyExpired(9_000, 1_000), false, 'httpsys is not reading: the client is held back by flow control');
  exchange.unblockReading(ReadBlock.BodyWindow);
  assert.equal(exchange.entityBodyExpired(9_500, 1_000), false);
  assert.equal(exchange.entityBodyExpired(10_000, 1_000), true);
  exchange.bodyComplete();
  assert.equal(exchange.entityBodyExpired(20_000, 1_000), false, 'complete');
  assert.equal(exchange.entityBodyExpired(20_000, 0), false);
});
