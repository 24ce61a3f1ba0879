import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AbortReason,
  FrameDecoder,
  FrameType,
  FrameWriter,
  INITIAL_STREAM_WINDOW,
  RequestFlags,
  type FrameHandler,
  type FrameSink,
} from '@poolhost/protocol';
import { ListenerRequest, RequestState, type RequestOutcomes, type RequestWorker } from '../../src/requests/listener-request.js';
import type { RequestCarrier, ResponseWriter } from '../../src/requests/request-front.js';
import { RequestQueue } from '../../src/request-queue/request-queue.js';
import { ApplicationMatcher } from '../../src/routing/application-matcher.js';
import { SiteCounters } from '../../src/counters/listener-counters.js';
import { ReadBlock } from '../../src/connections/read-block.js';
import type { RequestHead } from '../../src/connections/client-connection.js';
import type { SiteRoute } from '../../src/routing/routing-table.js';
import type { HttpSysError } from '../../src/error-responses/http-sys-errors.js';

/** A response writer that records what it was asked to write. */
class RecordingWriter implements ResponseWriter {
  readonly calls: string[] = [];
  needsDrain = false;
  backlog = 0;
  private drainListener: (() => void) | null = null;
  bind(_request: ListenerRequest): void {}
  writeContinue(): void {
    this.calls.push('continue');
  }
  writeHead(statusCode: number, _reason: string, headers: string[], close: boolean): void {
    this.calls.push(`head ${statusCode} ${headers.join(',')}${close ? ' close' : ''}`);
  }
  writeRaw(payload: Buffer): void {
    this.calls.push(`raw ${payload.length}`);
  }
  writeBody(payload: Buffer): boolean {
    this.calls.push(`body ${payload.length}`);
    return true;
  }
  end(trailers: string[] | null): void {
    this.calls.push(trailers === null ? 'end' : `end trailers ${trailers.join(',')}`);
  }
  answer(error: HttpSysError): void {
    this.calls.push(`answer ${error.statusCode}`);
  }
  reset(abortive: boolean): void {
    this.calls.push(abortive ? 'reset abortive' : 'reset');
  }
  onceDrain(listener: () => void): void {
    this.drainListener = listener;
  }
  drain(): void {
    this.needsDrain = false;
    this.drainListener?.();
  }
}

class RecordingCarrier implements RequestCarrier {
  readonly clientIp = '127.0.0.1';
  readonly clientPort = 40000;
  readonly localIp = '127.0.0.1';
  readonly localPort = 80;
  readonly secure = false;
  readonly clientCertificate = null;
  blocked = 0;
  ended = 0;
  blockReading(reason: number): void {
    this.blocked |= reason;
  }
  unblockReading(reason: number): void {
    this.blocked &= ~reason;
  }
  startRawRelay(): void {}
  stopRawRelay(): void {}
  requestEnded(): void {
    this.ended++;
  }
}

/** The worker's side: frames written to it, decoded back. */
class RecordingWorker implements RequestWorker {
  readonly frames: string[] = [];
  readonly ended: ListenerRequest[] = [];
  readonly detached = false;
  readonly writer: RequestWorker['writer'] = {
    requestHead: (streamId, _flags, _siteId, method, url) => this.frames.push(`head ${streamId} ${method} ${url}`),
    data: (type, streamId, chunk) => this.frames.push(`${type === FrameType.RequestBody ? 'body' : 'upgrade'} ${streamId} ${chunk.length}`),
    empty: (type, streamId) => this.frames.push(`${type === FrameType.RequestEnd ? 'end' : type} ${streamId}`),
    trailers: (streamId, fields) => this.frames.push(`trailers ${streamId} ${fields.join(',')}`),
    windowUpdate: (streamId, credit) => this.frames.push(`window ${streamId} ${credit}`),
    abort: (streamId, reason) => this.frames.push(`abort ${streamId} ${reason === AbortReason.ClientGone ? 'client-gone' : reason}`),
    cacheStoreVerdict: (streamId, verdict) => this.frames.push(`cache-verdict ${streamId} ${verdict}`),
  };
  upgradeAnswered(): void {}
  endStream(request: ListenerRequest): void {
    this.ended.push(request);
  }
}

class RecordingOutcomes implements RequestOutcomes {
  readonly events: string[] = [];
  kernelCacheable(): null {
    return null;
  }
  completed(): void {
    this.events.push('completed');
  }
  abandoned(_request: ListenerRequest, reason: string): void {
    this.events.push(`abandoned ${reason}`);
  }
  turnedAway(_request: ListenerRequest, statusCode: number | undefined, reason: string): void {
    this.events.push(`turned away ${statusCode ?? '-'} ${reason}`);
  }
}

/** A RESPONSE_HEAD payload as a worker writes it (through the real frame writer and decoder). */
function responseHeadPayload(statusCode: number, reason: string, headers: string[]): Buffer {
  return framePayload((writer) => writer.responseHead(1, statusCode, reason, headers));
}

/** The payload of the one frame `write` makes, through the real frame writer and decoder. */
function framePayload(write: (writer: FrameWriter) => void): Buffer {
  const written: Buffer[] = [];
  const sink: FrameSink = {
    write: (chunk) => written.push(Buffer.from(chunk)) > 0,
    cork: () => {},
    uncork: () => {},
    destroyed: false,
  };
  const writer = new FrameWriter(sink);
  write(writer);
  writer.flush();
  let payload: Buffer | null = null;
  const handler: FrameHandler = {
    onFrame: (_type, _flags, _streamId, framePayload) => {
      payload = Buffer.from(framePayload);
    },
  };
  new FrameDecoder(handler).push(Buffer.concat(written));
  assert.ok(payload, 'the head decodes');
  return payload;
}

function site(): SiteRoute {
  return {
    siteId: 1,
    siteName: 'Default Web Site',
    started: true,
    connectionTimeout: 120_000,
    maxUrlSegments: 32,
    maxConnections: 1000,
    maxBandwidth: 0xffffffff,
    applications: new ApplicationMatcher([{ path: '/', applicationPool: 'Pool' }]),
    strictTransportSecurity: null,
    redirectHttpToHttps: false,
    counters: new SiteCounters(1),
  };
}

function newRequest(method = 'GET', flags = 0) {
  const head: RequestHead = { method, url: '/', httpVersionMajor: 1, httpVersionMinor: 1, rawHeaders: ['Host', 'localhost'], keepAlive: true, upgrade: false, streamId: 0 };
  const carrier = new RecordingCarrier();
  const writer = new RecordingWriter();
  const outcomes = new RecordingOutcomes();
  const queue = new RequestQueue<ListenerRequest>('Pool', { workerDemanded() {}, requestExpired() {}, queueActive() {} });
  queue.declared = true;
  const request = new ListenerRequest(head, carrier, writer, site(), { path: '/', applicationPool: 'Pool' }, queue, flags, outcomes);
  return { request, carrier, writer, outcomes, queue, worker: new RecordingWorker() };
}

test('Queued -> Dispatched -> Responding -> Done: the head goes to the worker, the response to the writer, credit back as it is flushed', () => {
  const { request, writer, outcomes, worker } = newRequest();
  assert.equal(request.state, RequestState.Queued);
  assert.equal(request.dispatch(worker, 7), true);
  assert.equal(request.state, RequestState.Dispatched);
  assert.deepEqual(worker.frames, ['head 7 GET /']);
  request.onResponseHead(responseHeadPayload(200, 'OK', ['Content-Type', 'text/plain', 'Connection', 'keep-alive']));
  assert.equal(request.state, RequestState.Responding);
  request.onResponseData(Buffer.alloc(INITIAL_STREAM_WINDOW / 2));
  request.outputFlushed();
  assert.deepEqual(writer.calls, ['head 200 Content-Type,text/plain', `body ${INITIAL_STREAM_WINDOW / 2}`], 'hop-by-hop fields are not the writer\'s');
  assert.ok(worker.frames.some((frame) => frame.startsWith('window 7 ')), 'flushed bytes return credit to the worker');
  request.onResponseEnd();
  assert.equal(request.state, RequestState.Done);
  assert.deepEqual(outcomes.events, ['completed']);
  assert.deepEqual(worker.ended, [request]);
  request.onResponseData(Buffer.from('late'));
  request.onResponseEnd();
  assert.deepEqual(outcomes.events, ['completed'], 'frames after the end change nothing');
  assert.equal(writer.calls.at(-1), 'end');
});

test('credit waits for the client to drain: nothing goes back to the worker while its transport is full', () => {
  const { request, writer, worker } = newRequest();
  request.dispatch(worker, 1);
  request.onResponseHead(responseHeadPayload(200, 'OK', []));
  writer.needsDrain = true;
  request.onResponseData(Buffer.alloc(INITIAL_STREAM_WINDOW));
  request.outputFlushed();
  assert.ok(!worker.frames.some((frame) => frame.startsWith('window')));
  writer.drain();
  assert.ok(worker.frames.includes(`window 1 ${INITIAL_STREAM_WINDOW}`));
});

test('a body queued with the request is forwarded on dispatch; a window used up stops reading until WINDOW_UPDATE', () => {
  const { request, carrier, worker, writer } = newRequest('POST', RequestFlags.HasBody | RequestFlags.ExpectContinue);
  request.onRequestBody(Buffer.alloc(100));
  request.dispatch(worker, 3);
  assert.deepEqual(worker.frames, ['head 3 POST /', 'body 3 100']);
  assert.deepEqual(writer.calls, [], 'no 100 Continue once body bytes have arrived anyway');
  request.onRequestBody(Buffer.alloc(INITIAL_STREAM_WINDOW));
  assert.equal(carrier.blocked & ReadBlock.BodyWindow, ReadBlock.BodyWindow);
  request.onWindowUpdate(INITIAL_STREAM_WINDOW);
  assert.equal(carrier.blocked, 0);
  request.onRequestBodyEnd();
  assert.equal(worker.frames.at(-1), 'end 3');
});

test('trailers: the request\'s go to the worker before its RequestEnd (also when it was still queued), the response\'s to the writer with its end', () => {
  const queued = newRequest('POST', RequestFlags.HasBody);
  queued.request.onRequestBody(Buffer.alloc(10));
  queued.request.onRequestBodyEnd(['X-Checksum', 'abc']);
  queued.request.dispatch(queued.worker, 4);
  assert.deepEqual(queued.worker.frames, ['head 4 POST /', 'body 4 10', 'trailers 4 X-Checksum,abc', 'end 4']);

  const { request, writer, worker } = newRequest('POST', RequestFlags.HasBody);
  request.dispatch(worker, 5);
  request.onRequestBodyEnd(['grpc-timeout', '1S']);
  assert.deepEqual(worker.frames.slice(1), ['trailers 5 grpc-timeout,1S', 'end 5']);
  request.onResponseHead(responseHeadPayload(200, 'OK', ['Trailer', 'X-Sum']));
  request.onResponseData(Buffer.from('ok'));
  request.onResponseTrailers(framePayload((frames) => frames.trailers(5, ['X-Sum', '42'])));
  request.onResponseEnd();
  assert.deepEqual(writer.calls, ['head 200 Trailer,X-Sum', 'body 2', 'end trailers X-Sum,42'], '`Trailer` is end-to-end, not hop-by-hop');

  const plain = newRequest('POST', RequestFlags.HasBody);
  plain.request.dispatch(plain.worker, 6);
  plain.request.onRequestBodyEnd();
  plain.request.onResponseEnd();
  assert.deepEqual(plain.worker.frames.slice(1), ['end 6'], 'no TRAILERS frame without trailers');
  assert.equal(plain.writer.calls.at(-1), 'end');
});

test('a queued body over its limit stops reading until a worker takes the request', () => {
  const { request, carrier, worker } = newRequest('POST', RequestFlags.HasBody);
  request.onRequestBody(Buffer.alloc(64 * 1024));
  assert.equal(carrier.blocked, ReadBlock.QueuedBody);
  request.dispatch(worker, 1);
  assert.equal(carrier.blocked, 0);
});

test('a worker lost before answering an idempotent request: retried once (Dispatched -> Queued), then 502', () => {
  const { request, writer, outcomes, worker } = newRequest('GET');
  request.dispatch(worker, 1);
  assert.equal(request.onWorkerLost(), 'retry');
  assert.equal(request.state, RequestState.Queued);
  assert.equal(request.retried, true);
  request.dispatch(new RecordingWorker(), 2);
  assert.equal(request.onWorkerLost(), 'failed');
  assert.equal(request.state, RequestState.Done);
  assert.deepEqual(writer.calls, ['answer 502']);
  assert.deepEqual(outcomes.events, ['abandoned Connection_Abandoned_By_ReqQueue']);
});

test('a lost POST is never retried; a response already started is reset, not answered', () => {
  const post = newRequest('POST');
  post.request.dispatch(post.worker, 1);
  assert.equal(post.request.onWorkerLost(), 'failed');
  assert.deepEqual(post.writer.calls, ['answer 502']);
  const started = newRequest('GET');
  started.request.dispatch(started.worker, 1);
  started.request.onResponseHead(responseHeadPayload(200, 'OK', []));
  assert.equal(started.request.onWorkerLost(), 'failed');
  assert.deepEqual(started.writer.calls, ['head 200 ', 'reset']);
});

test('a client gone while queued withdraws from the queue; one gone while dispatched aborts its stream', () => {
  const queued = newRequest();
  assert.equal(queued.queue.submit(queued.request), null);
  assert.equal(queued.queue.queuedRequests, 1);
  assert.equal(queued.request.onClientGone(), false);
  assert.equal(queued.request.cancelled, true);
  assert.equal(queued.queue.queuedRequests, 0);
  const dispatched = newRequest();
  dispatched.request.dispatch(dispatched.worker, 5);
  assert.equal(dispatched.request.onClientGone(), true);
  assert.equal(dispatched.worker.frames.at(-1), 'abort 5 client-gone');
  assert.equal(dispatched.request.onClientGone(), false, 'an ended request is gone once');
});

test('refused by its queue: 503 (or dropped) and reported once; a refused request cannot be dispatched', () => {
  const { request, writer, outcomes, worker } = newRequest();
  request.refuse(false, 'QueueFull');
  request.refuse(false, 'QueueFull');
  assert.deepEqual(writer.calls, ['answer 503']);
  assert.deepEqual(outcomes.events, ['turned away 503 QueueFull']);
  assert.equal(request.dispatch(worker, 1), false);
  assert.deepEqual(worker.frames, []);
  const dropped = newRequest();
  dropped.request.refuse(true, 'QueueFull');
  assert.deepEqual(dropped.writer.calls, ['reset']);
  const expired = newRequest();
  expired.request.expire();
  assert.deepEqual(expired.outcomes.events, ['turned away - Timer_AppPool']);
});

test('MinBytesPerSecond cut-off: an abortive reset and an ABORT to the worker', () => {
  const { request, writer, worker, carrier } = newRequest();
  request.dispatch(worker, 9);
  request.cutOff();
  assert.deepEqual(writer.calls, ['reset abortive']);
  assert.equal(worker.frames.at(-1), `abort 9 ${AbortReason.Timeout}`);
  assert.equal(carrier.ended, 1);
});
