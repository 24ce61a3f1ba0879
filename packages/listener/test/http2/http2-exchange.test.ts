// Http2Exchange's response writing on real node:http2 streams (h2c on a loopback port): the body, its
// END_STREAM and trailers reach the client, and no body write completes on a stream Node has already
// destroyed — the late completion after which Node's Writable builds an ERR_STREAM_DESTROYED, stack trace
// and all, for every response (docs/performance.md, "HTTP/2: where httpsys' CPU per h2 stream goes").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http2, { type ClientHttp2Session, type IncomingHttpHeaders, type ServerHttp2Session, type ServerHttp2Stream } from 'node:http2';
import type { Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Http2ClientSession, type Http2SessionEvents } from '../../src/http2/http2-client-session.js';
import { Http2Exchange } from '../../src/http2/http2-exchange.js';
import type { ListenerRequest } from '../../src/requests/listener-request.js';
import { HttpSysErrors } from '../../src/error-responses/http-sys-errors.js';

const addresses = { clientIp: '127.0.0.1', clientPort: 50000, localIp: '127.0.0.1', localPort: 80, clientCertificate: null };
const events: Http2SessionEvents = { streamError() {}, requestFailed() {}, kernelCacheable: () => null };

type WriteCallback = (error?: Error | null) => void;
type StreamWrite = (chunk: unknown, encoding: BufferEncoding, callback: WriteCallback) => void;
type StreamWritev = (chunks: unknown[], callback: WriteCallback) => void;

/** What a test's server does with each stream, given its exchange. */
type Respond = (exchange: Http2Exchange, headers: IncomingHttpHeaders) => void;

interface Served {
  /** Body writes whose completion Node reported after it had destroyed the stream. */
  lateWrites: number;
  streams: number;
  client: ClientHttp2Session;
  close(): Promise<void>;
}

/**
 * An h2c server whose streams are answered through Http2Exchange as http2-front does it (the request's
 * readable side resumed once the request ended), each stream's _write/_writev watched for a completion
 * that comes after the stream was destroyed.
 */
async function serve(respond: Respond): Promise<Served> {
  const served = { lateWrites: 0, streams: 0 } as Served;
  const server = http2.createServer();
  server.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => {
    served.streams++;
    watchWrites(stream, () => served.lateWrites++);
    stream.on('error', () => {});
    const session = stream.session as ServerHttp2Session;
    const client = new Http2ClientSession(session, {} as Socket, addresses, false, null, events);
    const exchange = new Http2Exchange(stream, client);
    const request = {
      head: { method: headers[':method'], rawHeaders: rawHeaders(headers) },
      site: { strictTransportSecurity: null },
      outputFlushed() {},
    } as unknown as ListenerRequest;
    exchange.bind(request);
    exchange.requestEnded(request);
    respond(exchange, headers);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  served.client = http2.connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  served.close = async () => {
    served.client.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return served;
}

function watchWrites(stream: ServerHttp2Stream, late: () => void): void {
  const writable = stream as unknown as { _write: StreamWrite; _writev: StreamWritev };
  const write = writable._write;
  const writev = writable._writev;
  const watch = (callback: WriteCallback): WriteCallback => (error) => {
    if (stream.destroyed) late();
    callback(error);
  };
  writable._write = (chunk, encoding, callback) => write.call(stream, chunk, encoding, watch(callback));
  writable._writev = (chunks, callback) => writev.call(stream, chunks, watch(callback));
}

function rawHeaders(headers: IncomingHttpHeaders): string[] {
  const raw: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith(':') || value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) raw.push(name, one);
  }
  return raw;
}

interface Answer {
  status: number;
  body: string;
  trailers: IncomingHttpHeaders | null;
  rstCode: number;
}

function request(client: ClientHttp2Session, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const stream = client.request(headers);
    const answer: Answer = { status: 0, body: '', trailers: null, rstCode: 0 };
    stream.setEncoding('latin1');
    stream.on('response', (fields) => (answer.status = Number(fields[':status'])));
    stream.on('trailers', (fields) => (answer.trailers = fields));
    stream.on('data', (chunk: string) => (answer.body += chunk));
    stream.on('error', reject);
    stream.on('close', () => {
      answer.rstCode = stream.rstCode ?? 0;
      resolve(answer);
    });
  });
}

test('responses end with END_STREAM after their last write: no write completes on a destroyed stream', async () => {
  const served = await serve((exchange) => {
    exchange.writeHead(200, 'OK', ['Content-Type', 'text/plain'], false);
    exchange.writeBody(Buffer.from('hello '));
    exchange.writeBody(Buffer.from('world'));
    exchange.end(null);
  });
  try {
    const answers = await Promise.all(Array.from({ length: 50 }, () => request(served.client, { ':path': '/' })));
    for (const answer of answers) {
      assert.equal(answer.status, 200);
      assert.equal(answer.body, 'hello world');
      assert.equal(answer.rstCode, http2.constants.NGHTTP2_NO_ERROR, 'ended, not reset');
    }
    assert.equal(served.streams, 50);
    assert.equal(served.lateWrites, 0, 'a write completed after Node destroyed its stream (an ERR_STREAM_DESTROYED built)');
  } finally {
    await served.close();
  }
});

test('a response that ends later than its writes, and a bodyless one, end the same way', async () => {
  const served = await serve((exchange, headers) => {
    if (headers[':method'] === 'HEAD') {
      exchange.writeHead(200, 'OK', ['Content-Length', '5'], false);
      assert.equal(exchange.writeBody(Buffer.from('ignored')), false, 'HEAD: no body');
      exchange.end(null);
      return;
    }
    exchange.writeHead(200, 'OK', [], false);
    exchange.writeBody(Buffer.from('late '));
    setTimeout(() => {
      exchange.writeBody(Buffer.from('end'));
      setTimeout(() => exchange.end(null), 20);
    }, 20);
  });
  try {
    const [get, head] = await Promise.all([request(served.client, { ':path': '/' }), request(served.client, { ':method': 'HEAD', ':path': '/' })]);
    assert.equal(get.body, 'late end');
    assert.equal(get.rstCode, http2.constants.NGHTTP2_NO_ERROR);
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
    assert.equal(head.rstCode, http2.constants.NGHTTP2_NO_ERROR);
    assert.equal(served.lateWrites, 0);
  } finally {
    await served.close();
  }
});

test('trailers follow the last write, asked for by TE: trailers', async () => {
  const served = await serve((exchange) => {
    exchange.writeHead(200, 'OK', ['Content-Type', 'text/plain'], false);
    exchange.writeBody(Buffer.from('body'));
    exchange.end(['X-Checksum', 'abc', 'X-Checksum', 'def']);
  });
  try {
    const answer = await request(served.client, { ':path': '/', te: 'trailers' });
    assert.equal(answer.body, 'body');
    assert.deepEqual(answer.trailers?.['x-checksum'], 'abc, def');
    assert.equal(answer.rstCode, http2.constants.NGHTTP2_NO_ERROR);
    assert.equal(served.lateWrites, 0);
  } finally {
    await served.close();
  }
});

test("HTTP.SYS' own answer (a 503 before the response began) ends the same way", async () => {
  const served = await serve((exchange) => exchange.answer(HttpSysErrors.ServiceUnavailable));
  try {
    const answer = await request(served.client, { ':path': '/' });
    assert.equal(answer.status, 503);
    assert.equal(answer.body, HttpSysErrors.ServiceUnavailable.body.toString('latin1'));
    assert.equal(answer.rstCode, http2.constants.NGHTTP2_NO_ERROR);
    assert.equal(served.lateWrites, 0);
  } finally {
    await served.close();
  }
});
