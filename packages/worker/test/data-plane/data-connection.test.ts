// The worker's data plane in-process: a fake httpsys on a Unix socket speaks frames to a DataConnection.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { IncomingMessage, ServerResponse } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import {
  FRAME_HEADER_SIZE,
  FrameDecoder,
  FrameType,
  FrameWriter,
  INITIAL_STREAM_WINDOW,
  KernelCachePolicyType,
  RequestFlags,
  decodeAttach,
  decodeResponseHead,
  decodeTrailers,
} from '@poolhost/protocol';
import { DataConnection } from '../../src/data-plane/data-connection.js';
import { workerStreamOf } from '../../src/data-plane/worker-stream.js';
import { KernelCacheOffer } from '../../src/modules/http-cache/kernel-cache-offer.js';
import { ApplicationTable } from '../../src/hosting/application-table.js';
import type { HostedApplication } from '../../src/hosting/hosted-application.js';
import { recordingCacheableSink } from '../modules/http-cache/recording-cacheable-sink.js';

interface Frame {
  type: number;
  streamId: number;
  payload: Buffer;
}

class FakeHttpSys {
  frames: Frame[] = [];
  writer!: FrameWriter;
  socket!: Socket;
  private waiters: Array<() => void> = [];
  readonly decoder = new FrameDecoder({
    onFrame: (type, _flags, streamId, payload) => {
      this.frames.push({ type, streamId, payload: Buffer.from(payload) });
      for (const waiter of this.waiters.splice(0)) waiter();
    },
  });

  accept(socket: Socket): void {
    this.socket = socket;
    this.writer = new FrameWriter(socket);
    socket.on('data', (chunk: Buffer) => this.decoder.push(chunk));
  }

  async waitFor(predicate: (frames: Frame[]) => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.frames)) {
      if (Date.now() > deadline) throw new Error(`timed out; frames: ${this.frames.map((f) => f.type).join(',')}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  sendRequest(streamId: number, method: string, url: string, flags = 0, headers: string[] = ['Host', 'localhost'], httpVersionMajor = 1, httpVersionMinor = 1): void {
    this.writer.requestHead(streamId, flags, 1, method, url, httpVersionMajor, httpVersionMinor, headers, '10.1.2.3', 50000, '127.0.0.1', 80, '/');
  }
}

const directory = mkdtempSync(join(tmpdir(), 'w3wp-data-'));
const path = join(directory, 'data.sock');
const fake = new FakeHttpSys();
let server: Server;
let connection: DataConnection;
let handler: (req: IncomingMessage, res: ServerResponse) => void = () => undefined;

before(async () => {
  server = createServer((socket) => fake.accept(socket));
  await new Promise<void>((resolve) => server.listen(path, resolve));
  const applications = new ApplicationTable();
  const application: HostedApplication = {
    siteId: 1,
    siteName: 'Default Web Site',
    path: '/',
    kind: 'iisnode',
    handle: (req, res) => handler(req, res),
    acceptsUpgrade: () => false,
    upgrade: () => undefined,
  };
  applications.add(application);
  const socket = connect(path);
  await new Promise((resolve) => socket.once('connect', resolve));
  connection = new DataConnection(socket, applications, { lost: () => undefined, streamEnded: () => undefined }, pino({ level: 'silent' }));
  const attached = connection.attach('TestPool', 7, 'w-1');
  await fake.waitFor((frames) => frames.some((frame) => frame.type === FrameType.Attach));
  assert.deepEqual(decodeAttach(fake.frames[0]!.payload), { pid: process.pid, capacity: 7, applicationPool: 'TestPool', workerId: 'w-1' });
  fake.writer.empty(FrameType.Attached, 0);
  await attached;
});

after(() => {
  connection.socket.destroy();
  server.close();
  rmSync(directory, { recursive: true, force: true });
});

function framesOf(streamId: number): Frame[] {
  return fake.frames.filter((frame) => frame.streamId === streamId);
}

test('applications get Node request/response objects and res.end() becomes head + body + end frames', async () => {
  let seen: { url?: string; host?: string; remote?: string; isRequest?: boolean; isResponse?: boolean } = {};
  handler = (req, res) => {
    seen = { url: req.url, host: req.headers.host, remote: req.socket.remoteAddress, isRequest: req instanceof IncomingMessage, isResponse: res instanceof ServerResponse };
    res.setHeader('X-Test', 'yes');
    res.end('hello');
  };
  fake.sendRequest(1, 'GET', '/a?b=1');
  await fake.waitFor(() => framesOf(1).some((frame) => frame.type === FrameType.ResponseEnd));
  assert.deepEqual(seen, { url: '/a?b=1', host: 'localhost', remote: '10.1.2.3', isRequest: true, isResponse: true });
  const [head, body, end] = framesOf(1);
  const decoded = decodeResponseHead(head!.payload);
  assert.equal(decoded.statusCode, 200);
  assert.equal(decoded.reason, 'OK');
  const headers = Object.fromEntries(Array.from({ length: decoded.headers.length / 2 }, (_, i) => [decoded.headers[2 * i]!.toLowerCase(), decoded.headers[2 * i + 1]]));
  assert.equal(headers['x-test'], 'yes');
  assert.equal(headers['content-length'], '5');
  assert.equal(headers.connection, undefined, 'framing headers stay out');
  assert.equal(body!.type, FrameType.ResponseBody);
  assert.equal(body!.payload.toString(), 'hello');
  assert.equal(end!.type, FrameType.ResponseEnd);
});

test('a streamed response without Content-Length is not chunk-encoded by the worker', async () => {
  handler = (_req, res) => {
    res.write('one,');
    res.write(Buffer.from('two,'));
    res.end('three');
  };
  fake.sendRequest(2, 'GET', '/stream');
  await fake.waitFor(() => framesOf(2).some((frame) => frame.type === FrameType.ResponseEnd));
  const body = Buffer.concat(framesOf(2).filter((frame) => frame.type === FrameType.ResponseBody).map((frame) => frame.payload)).toString();
  assert.equal(body, 'one,two,three');
});

test('res.write returns false once the stream window is spent, and drain follows WINDOW_UPDATE', async () => {
  let drained = false;
  let firstFalseAt = -1;
  handler = (_req, res) => {
    const chunk = Buffer.alloc(32 * 1024);
    let written = 0;
    while (written < INITIAL_STREAM_WINDOW * 2) {
      written += chunk.length;
      if (!res.write(chunk)) {
        firstFalseAt = written;
        break;
      }
    }
    res.once('drain', () => {
      drained = true;
      res.end();
    });
  };
  fake.sendRequest(3, 'GET', '/big');
  await fake.waitFor(() => framesOf(3).filter((frame) => frame.type === FrameType.ResponseBody).length >= INITIAL_STREAM_WINDOW / (32 * 1024));
  assert.equal(firstFalseAt, INITIAL_STREAM_WINDOW);
  assert.equal(drained, false);
  fake.writer.windowUpdate(3, INITIAL_STREAM_WINDOW);
  await fake.waitFor(() => framesOf(3).some((frame) => frame.type === FrameType.ResponseEnd));
  assert.equal(drained, true);
});

test('res.end(buffer) bigger than the window sends a window\'s worth; the rest follows the credit, then the end and \'finish\'', async () => {
  const size = INITIAL_STREAM_WINDOW * 3 + 1000;
  const file = Buffer.alloc(size, 7);
  let finished = false;
  handler = (_req, res) => {
    res.on('finish', () => (finished = true));
    res.end(file);
  };
  const bodyBytes = () => framesOf(9).filter((frame) => frame.type === FrameType.ResponseBody).reduce((sum, frame) => sum + frame.payload.length, 0);
  const ended = () => framesOf(9).some((frame) => frame.type === FrameType.ResponseEnd);
  fake.sendRequest(9, 'GET', '/whole-file');
  await fake.waitFor(() => bodyBytes() >= INITIAL_STREAM_WINDOW);
  // Another request's round trip: anything more the worker would send for stream 9 has arrived by then.
  fake.sendRequest(10, 'GET', '/other');
  handler = (_req, res) => res.end('other');
  await fake.waitFor(() => framesOf(10).some((frame) => frame.type === FrameType.ResponseEnd));
  assert.equal(bodyBytes(), INITIAL_STREAM_WINDOW, 'no more than the window before any credit');
  assert.equal(ended(), false);
  assert.equal(finished, false, "'finish' waits for the bytes to leave");
  fake.writer.windowUpdate(9, INITIAL_STREAM_WINDOW * 2);
  await fake.waitFor(() => bodyBytes() >= INITIAL_STREAM_WINDOW * 3);
  assert.equal(ended(), false, 'the end follows the last bytes');
  fake.writer.windowUpdate(9, INITIAL_STREAM_WINDOW);
  await fake.waitFor(ended);
  assert.equal(bodyBytes(), size);
  const body = Buffer.concat(framesOf(9).filter((frame) => frame.type === FrameType.ResponseBody).map((frame) => frame.payload));
  assert.ok(body.equals(file), 'every byte, in order');
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(finished, true);
});

test('request body credit is returned as the application reads', async () => {
  let received = 0;
  handler = (req, res) => {
    req.on('data', (chunk: Buffer) => (received += chunk.length));
    req.on('end', () => res.end(String(received)));
  };
  fake.sendRequest(4, 'POST', '/upload', RequestFlags.HasBody);
  const chunk = Buffer.alloc(64 * 1024, 1);
  for (let i = 0; i < 4; i++) fake.writer.data(FrameType.RequestBody, 4, chunk);
  await fake.waitFor(() => framesOf(4).some((frame) => frame.type === FrameType.WindowUpdate));
  fake.writer.empty(FrameType.RequestEnd, 4);
  await fake.waitFor(() => framesOf(4).some((frame) => frame.type === FrameType.ResponseEnd));
  const credit = framesOf(4).filter((frame) => frame.type === FrameType.WindowUpdate).reduce((sum, frame) => sum + frame.payload.readUInt32LE(0), 0);
  assert.equal(received, 4 * chunk.length);
  assert.ok(credit >= 3 * chunk.length, `credit ${credit}`);
});

test('ABORT from httpsys closes the request and the response', async () => {
  const closed: string[] = [];
  handler = (req, res) => {
    req.on('close', () => closed.push('req'));
    res.on('close', () => closed.push('res'));
  };
  fake.sendRequest(5, 'GET', '/slow');
  await fake.waitFor(() => connection.streams.has(5));
  fake.writer.abort(5, 1);
  await fake.waitFor(() => closed.length === 2);
  assert.deepEqual(closed.sort(), ['req', 'res']);
  assert.equal(connection.streams.has(5), false);
});

test('HEAD and 204 responses carry no body frames', async () => {
  handler = (req, res) => {
    if (req.url === '/nobody') {
      res.statusCode = 204;
      res.end('ignored');
    } else res.end('ignored too');
  };
  fake.sendRequest(6, 'HEAD', '/head');
  fake.sendRequest(7, 'GET', '/nobody');
  await fake.waitFor(() => framesOf(6).some((f) => f.type === FrameType.ResponseEnd) && framesOf(7).some((f) => f.type === FrameType.ResponseEnd));
  assert.deepEqual(framesOf(6).map((f) => f.type), [FrameType.ResponseHead, FrameType.ResponseEnd]);
  assert.deepEqual(framesOf(7).map((f) => f.type), [FrameType.ResponseHead, FrameType.ResponseEnd]);
  assert.equal(decodeResponseHead(framesOf(7)[0]!.payload).statusCode, 204);
});

test('TRAILERS before RequestEnd become req.trailers; res.addTrailers() becomes a TRAILERS frame before ResponseEnd', async () => {
  let seen: { body?: string; trailers?: Record<string, string | undefined>; rawTrailers?: string[] } = {};
  handler = (req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen = { body, trailers: { ...req.trailers }, rawTrailers: req.rawTrailers };
      res.setHeader('Trailer', 'X-Sum');
      res.write('ok');
      res.addTrailers({ 'X-Sum': '42', 'X-Note': 'done' });
      res.end();
    });
  };
  fake.sendRequest(20, 'POST', '/trailers', RequestFlags.HasBody);
  fake.writer.data(FrameType.RequestBody, 20, Buffer.from('payload'));
  fake.writer.trailers(20, ['X-Checksum', 'abc', 'X-Count', '1']);
  fake.writer.empty(FrameType.RequestEnd, 20);
  await fake.waitFor(() => framesOf(20).some((frame) => frame.type === FrameType.ResponseEnd));
  assert.deepEqual(seen, { body: 'payload', trailers: { 'x-checksum': 'abc', 'x-count': '1' }, rawTrailers: ['X-Checksum', 'abc', 'X-Count', '1'] });
  const frames = framesOf(20);
  const head = decodeResponseHead(frames[0]!.payload);
  assert.ok(head.headers.includes('Trailer'), 'the Trailer announcement goes to httpsys');
  assert.ok(!head.headers.some((name) => name.toLowerCase() === 'transfer-encoding'));
  assert.deepEqual(frames.slice(-2).map((frame) => frame.type), [FrameType.Trailers, FrameType.ResponseEnd]);
  assert.deepEqual(decodeTrailers(frames.at(-2)!.payload), ['X-Sum', '42', 'X-Note', 'done']);
});

test('an HTTP/2 request: a response announcing Trailer is not refused (Node would take 2.0 for HTTP/1.0)', async () => {
  let failure: unknown = null;
  handler = (_req, res) => {
    try {
      res.setHeader('Trailer', 'grpc-status');
      res.write('x');
      res.addTrailers({ 'grpc-status': '0' });
      res.end();
    } catch (error) {
      failure = error;
      res.destroy();
    }
  };
  fake.sendRequest(21, 'GET', '/h2', 0, ['Host', 'localhost'], 2, 0);
  await fake.waitFor(() => framesOf(21).some((frame) => frame.type === FrameType.ResponseEnd || frame.type === FrameType.Abort));
  assert.equal(failure, null);
  assert.deepEqual(decodeTrailers(framesOf(21).at(-2)!.payload), ['grpc-status', '0']);
});

test('a response without trailers sends no TRAILERS frame', async () => {
  handler = (_req, res) => res.end('plain');
  fake.sendRequest(22, 'GET', '/plain');
  await fake.waitFor(() => framesOf(22).some((frame) => frame.type === FrameType.ResponseEnd));
  assert.ok(!framesOf(22).some((frame) => frame.type === FrameType.Trailers));
});

test("a traced offer whose request httpsys had already ended: its REQUEST_ENDED verdict fills HTTPSYS_CACHEABLE and nothing stays held", async () => {
  const { trace, events } = recordingCacheableSink();
  handler = (req, res) => {
    workerStreamOf(req)!.kernelCache = new KernelCacheOffer(KernelCachePolicyType.TimeToLive, 30, '', false, 262_144, Infinity, false, trace);
    res.setHeader('Content-Length', '5');
    res.end('hello');
  };
  fake.sendRequest(30, 'GET', '/traced.txt');
  await fake.waitFor(() => framesOf(30).some((frame) => frame.type === FrameType.ResponseEnd));
  assert.equal(connection.awaitedCacheStoreVerdicts, 1, 'the offer waits for httpsys');
  // httpsys had ended the request (client gone) before the head reached it: its ABORT crossed the
  // response, and the head it could not use is answered REQUEST_ENDED.
  fake.writer.abort(30, 1);
  fake.writer.cacheStoreVerdict(30, 'REQUEST_ENDED');
  fake.writer.flush();
  await fake.waitFor(() => connection.awaitedCacheStoreVerdicts === 0);
  assert.deepEqual(events, [['HTTPSYS_CACHEABLE', { HttpsysCacheable: false, Reason: 'REQUEST_ENDED', CachePolicy: 'NO_CACHE' }]]);
});

test('a demand start\'s first answer (its request came in the read that brought ATTACHED) is sent before the rest of the start resumes', async () => {
  // httpsys sends ATTACHED and the request that waited for a worker in one write; the application answers
  // it synchronously. attach()'s continuation (WorkerReady to was, in w3wp) runs after that read: by then
  // the answer must already be on the socket, not waiting for the turn's setImmediate flush.
  const firstPath = join(directory, 'first.sock');
  const httpsys = new FakeHttpSys();
  const firstServer = createServer((socket) => {
    httpsys.accept(socket);
    void httpsys.waitFor((frames) => frames.some((frame) => frame.type === FrameType.Attach)).then(() => {
      httpsys.writer.empty(FrameType.Attached, 0);
      httpsys.sendRequest(1, 'GET', '/first');
    });
  });
  await new Promise<void>((resolve) => firstServer.listen(firstPath, resolve));
  const applications = new ApplicationTable();
  applications.add({ siteId: 1, siteName: 'Default Web Site', path: '/', kind: 'iisnode', handle: (_req, res) => res.end('first'), acceptsUpgrade: () => false, upgrade: () => undefined });
  const socket = connect(firstPath);
  await new Promise((resolve) => socket.once('connect', resolve));
  const first = new DataConnection(socket, applications, { lost: () => undefined, streamEnded: () => undefined }, pino({ level: 'silent' }));
  try {
    await first.attach('FirstPool', 1, 'w-first');
    const writtenWhenResumed = socket.bytesWritten;
    await httpsys.waitFor((frames) => frames.some((frame) => frame.streamId === 1 && frame.type === FrameType.ResponseEnd));
    // Without the flush at the read's end, ATTACH alone would have been written by then.
    const attachFrame = FRAME_HEADER_SIZE + httpsys.frames.find((frame) => frame.type === FrameType.Attach)!.payload.length;
    assert.ok(writtenWhenResumed > attachFrame, `the answer was on the socket when attach() resumed (${writtenWhenResumed} bytes written; ATTACH is ${attachFrame})`);
  } finally {
    socket.destroy();
    await new Promise((resolve) => firstServer.close(resolve));
  }
});
