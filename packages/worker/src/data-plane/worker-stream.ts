// One request inside the worker: Node's IncomingMessage fed from REQUEST_BODY frames (credit returned
// as the application reads), and a StreamResponse flushed as RESPONSE_* frames (writes report
// backpressure when the stream's window is spent; 'drain' when httpsys returns credit).
import { IncomingMessage, STATUS_CODES, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { KernelCacheOffer } from '../modules/http-cache/kernel-cache-offer.js';
import { AbortReason, FrameType, INITIAL_STREAM_WINDOW, ResponseFlags, StreamCredit, type RequestHead } from '@poolhost/protocol';
import { StreamSocket } from './stream-socket.js';
import { StreamResponse, emitResponseClose } from './stream-response.js';
import { UpgradeSocket } from './upgrade-socket.js';
import { incomingInternals, kNeedDrain, type OutgoingInternals } from './node-http-internals.js';
import type { DataConnection } from './data-connection.js';
import { countResponseStatus } from '../counters/worker-request-counters.js';
import type { HostedApplication } from '../hosting/hosted-application.js';

/**
 * How far one write may go past the window and still be sent whole: the chunks of a stream (16–64 KiB) go
 * out as before, with `write()` returning false; a bigger write is cut to the window.
 */
const WRITE_OVERSHOOT = 64 * 1024;

function httpVersionOf(major: number, minor: number): string {
  if (major === 1) {
    if (minor === 1) return '1.1';
    if (minor === 0) return '1.0';
  }
  return `${major}.${minor}`;
}

function connectionReset(): Error {
  const error = new Error('aborted') as Error & { code: string };
  error.code = 'ECONNRESET';
  return error;
}

function onResponseFinish(this: StreamResponse): void {
  const stream = this.stream;
  if (!stream) return;
  const req = incomingInternals(stream.req);
  // As Node's server does: a body nobody read is drained so the request can end and close.
  if (!req._consuming && !req._readableState.resumeScheduled) req._dump();
  // ServerResponse.detachSocket, for the socket attached in the WorkerStream constructor.
  stream.socket._httpMessage = null;
  (this as unknown as { socket: StreamSocket | null }).socket = null;
  process.nextTick(emitResponseClose, this);
}

/** An error page that replaces an application's own error response: status, header pairs, body. */
export interface ReplacementPage {
  statusCode: number;
  headers: string[];
  body: Buffer;
}

const kWorkerStream = Symbol('poolhost.workerStream');

/** The stream a request arrived on (null for a request made up outside the data plane, in tests). */
export function workerStreamOf(req: IncomingMessage): WorkerStream | null {
  return (req as IncomingMessage & { [kWorkerStream]?: WorkerStream })[kWorkerStream] ?? null;
}

export class WorkerStream {
  readonly req: IncomingMessage;
  readonly res: StreamResponse;
  readonly socket: StreamSocket;
  readonly upgradeSocket: UpgradeSocket | null;
  readonly startedAt = Date.now();
  sendWindow = INITIAL_STREAM_WINDOW;
  needDrain = false;
  headSent = false;
  /** RESPONSE_END (or ABORT) sent or received: the stream is over for the data connection. */
  closed = false;
  /** Made on the first body bytes: most requests have none. */
  private credit: StreamCredit | null = null;
  private held = 0;
  /**
   * httpErrors existingResponse="Replace": renders the error page that replaces an error response the
   * application writes itself (null: the application's response passes through).
   */
  errorReplacement: ((statusCode: number) => ReplacementPage) | null = null;
  /** The application's error response was replaced: its own head and body go nowhere. */
  private replaced = false;
  /** httpsys is asked to close the client connection after the response (ResponseFlags.CloseConnection). */
  closeConnection = false;
  /** HttpCacheModule's verdict: the response may go to httpsys' kernel cache if its head passes the offer's check. */
  kernelCache: KernelCacheOffer | null = null;
  /** maxAllowedContentLength for a body whose length was not declared (-1: none); counted as it arrives. */
  private bodyLimit = -1;
  /** The request's trailer fields, until RequestEnd makes them `req.trailers`. */
  private requestTrailers: string[] | null = null;
  private bodyReceived = 0;
  private onBodyLimit: (() => void) | null = null;
  /** Response bytes written beyond the window, sent as credit returns (null: none held). */
  private unsent: Array<{ data: Uint8Array; callback: ((error?: Error | null) => void) | undefined }> | null = null;
  /** The response ended while bytes were held: its end (and trailers) follows them. */
  private endAfterUnsent: string[] | null | undefined = undefined;

  constructor(
    readonly connection: DataConnection,
    readonly id: number,
    readonly head: RequestHead,
    hasBody: boolean,
    upgrade: boolean,
    readonly application: HostedApplication | null,
  ) {
    const socket = new StreamSocket(this, head.clientIp, head.clientPort, head.localIp, head.localPort);
    this.socket = socket;
    this.upgradeSocket = upgrade ? new UpgradeSocket(this, head.clientIp, head.clientPort, head.localIp, head.localPort) : null;
    const req = new IncomingMessage((this.upgradeSocket ?? socket) as unknown as Socket);
    req.method = head.method;
    req.url = head.url;
    req.httpVersionMajor = head.httpVersionMajor;
    req.httpVersionMinor = head.httpVersionMinor;
    req.httpVersion = httpVersionOf(head.httpVersionMajor, head.httpVersionMinor);
    const internals = incomingInternals(req);
    internals._addHeaderLines(head.rawHeaders, head.rawHeaders.length);
    internals.upgrade = upgrade;
    (req as IncomingMessage & { [kWorkerStream]?: WorkerStream })[kWorkerStream] = this;
    if (!hasBody || upgrade) {
      internals.complete = true;
      req.push(null);
    }
    this.req = req;
    // An upgrade request gets a response too: the pipeline answers on it when it refuses the upgrade.
    const res = new StreamResponse(req);
    res.stream = this;
    if (head.httpVersionMajor === 2) {
      // Node's ServerResponse takes a minor version of 0 for HTTP/1.0 (no chunking, no keep-alive), and
      // would then refuse a `Trailer` header (ERR_HTTP_TRAILER_INVALID). httpsys frames an HTTP/2
      // response itself: let Node render it as for HTTP/1.1 (its framing headers go nowhere).
      const outgoing = res as unknown as OutgoingInternals;
      outgoing.useChunkedEncodingByDefault = true;
      outgoing.shouldKeepAlive = true;
    }
    // What ServerResponse.assignSocket does, without its 'close' listener on the socket (and its removal
    // in detachSocket) for every request: StreamSocket.closeNow closes the response itself.
    socket._httpMessage = res;
    (res as unknown as { socket: StreamSocket }).socket = socket;
    res.on('finish', onResponseFinish);
    this.res = res;
  }

  get upgraded(): boolean {
    return this.upgradeSocket !== null;
  }

  // --- response (worker -> httpsys) --------------------------------------------------------------

  sendResponseHead(statusCode: number, reason: string, headers: string[]): void {
    if (this.closed || this.headSent) return;
    this.headSent = true;
    if (statusCode >= 401) countResponseStatus(this.connection.counters, statusCode);
    if (statusCode >= 400 && this.errorReplacement !== null) {
      const page = this.errorReplacement(statusCode);
      this.replaced = true;
      const writer = this.connection.writer;
      writer.responseHead(this.id, page.statusCode, STATUS_CODES[page.statusCode] ?? reason, page.headers, this.closeConnection ? ResponseFlags.CloseConnection : 0);
      if (page.body.length > 0) writer.data(FrameType.ResponseBody, this.id, page.body);
      return;
    }
    const offer = this.kernelCache;
    const kernelCache = offer !== null && offer.check(statusCode, headers) === null ? offer.policy : null;
    if (kernelCache !== null && offer!.awaitsStoreVerdict) this.connection.awaitCacheStoreVerdict(this.id, offer!);
    this.connection.writer.responseHead(this.id, statusCode, reason, headers, this.closeConnection ? ResponseFlags.CloseConnection : 0, kernelCache);
  }

  writeResponseData(data: string | Uint8Array, encoding: BufferEncoding | undefined, callback?: (error?: Error | null) => void): boolean {
    if (this.closed || !this.headSent || this.replaced) {
      // After the end, or an informational response (100/102/103) written raw before the head: nothing to send.
      if (callback) process.nextTick(callback);
      return !this.closed;
    }
    const writer = this.connection.writer;
    let bytes: number;
    if (this.unsent === null && (typeof data === 'string' || data.byteLength <= this.sendWindow + WRITE_OVERSHOOT)) {
      if (typeof data === 'string') {
        bytes = writer.dataString(FrameType.ResponseBody, this.id, data, encoding ?? 'utf8', callback);
      } else {
        bytes = data.byteLength;
        if (bytes > 0) writer.data(FrameType.ResponseBody, this.id, data, callback);
        else if (callback) writer.afterFlush(callback);
      }
      this.sendWindow -= bytes;
    } else {
      // More than the window allows (a whole file in one res.end(buffer)), or behind such a write: what
      // the window takes goes now, the rest stays here until httpsys returns credit, so httpsys never
      // holds more than a window of it for a slow client.
      const buffer = typeof data === 'string' ? Buffer.from(data, encoding ?? 'utf8') : data;
      bytes = buffer.byteLength;
      (this.unsent ??= []).push({ data: buffer, callback });
      this.sendUnsent();
    }
    this.socket.bytesWritten += bytes;
    if (this.sendWindow > 0 && this.unsent === null) return true;
    this.needDrain = true;
    return false;
  }

  /** Sends what the window allows of the held writes, in order; a write's callback goes with its last bytes. */
  private sendUnsent(): void {
    const unsent = this.unsent;
    if (unsent === null) return;
    const writer = this.connection.writer;
    while (unsent.length > 0 && this.sendWindow > 0) {
      const head = unsent[0]!;
      if (head.data.byteLength <= this.sendWindow) {
        unsent.shift();
        if (head.data.byteLength > 0) writer.data(FrameType.ResponseBody, this.id, head.data, head.callback);
        else if (head.callback) writer.afterFlush(head.callback);
        this.sendWindow -= head.data.byteLength;
      } else {
        const now = this.sendWindow;
        writer.data(FrameType.ResponseBody, this.id, head.data.subarray(0, now));
        head.data = head.data.subarray(now);
        this.sendWindow = 0;
      }
    }
    if (unsent.length > 0) return;
    this.unsent = null;
    const end = this.endAfterUnsent;
    if (end !== undefined) {
      this.endAfterUnsent = undefined;
      this.responseEnded(end);
    }
  }

  /** The stream is over before the held bytes went: they go nowhere, and their callbacks never run (as a destroyed socket's). */
  private dropUnsent(): void {
    this.unsent = null;
    this.endAfterUnsent = undefined;
  }

  /** StreamResponse ended: everything is queued, the stream is complete. `trailers`: `res.addTrailers()`'s fields. */
  responseEnded(trailers: string[] | null = null): void {
    if (this.closed) return;
    if (this.unsent !== null) {
      this.endAfterUnsent = trailers;
      return;
    }
    this.closed = true;
    if (trailers !== null && this.headSent && !this.replaced) this.connection.writer.trailers(this.id, trailers);
    this.connection.writer.empty(FrameType.ResponseEnd, this.id);
    this.connection.streamEnded(this);
  }

  onWindowUpdate(credit: number): void {
    this.sendWindow += credit;
    if (this.upgradeSocket) {
      this.upgradeSocket.onCredit();
      return;
    }
    if (this.unsent !== null) {
      if (this.closed) return;
      this.sendUnsent();
    }
    if (this.needDrain && this.sendWindow > 0 && this.unsent === null) {
      this.needDrain = false;
      const res = this.res as unknown as Record<symbol, boolean> & ServerResponse;
      if (res[kNeedDrain]) {
        res[kNeedDrain] = false;
        res.emit('drain');
      }
      this.socket.emit('drain');
    }
  }

  // --- request body (httpsys -> worker) ----------------------------------------------------------

  /**
   * Counts a body of undeclared length (chunked) against `limit` as it arrives; past it, `onExceeded`
   * answers (413.1) and the body stops here: the application's request is destroyed, no more bytes reach
   * it, and httpsys closes the connection after the response.
   */
  limitBody(limit: number, onExceeded: () => void): void {
    this.bodyLimit = limit;
    this.onBodyLimit = onExceeded;
    if (this.bodyReceived > limit) this.bodyLimitExceeded();
  }

  private bodyLimitExceeded(): void {
    const onExceeded = this.onBodyLimit!;
    this.bodyLimit = -1;
    this.onBodyLimit = null;
    this.closeConnection = true;
    const internals = incomingInternals(this.req);
    internals.complete = true;
    onExceeded();
    const error = new Error('request entity too large (requestLimits@maxAllowedContentLength)') as Error & { code: string; status: number };
    error.code = 'ERR_REQUEST_ENTITY_TOO_LARGE';
    error.status = 413;
    if (!this.req.destroyed) this.req.destroy(error);
  }

  onRequestBody(payload: Buffer): void {
    if (this.upgradeSocket) {
      this.upgradeSocket.receive(payload);
      return;
    }
    const internals = incomingInternals(this.req);
    if (internals.complete) return;
    this.bodyReceived += payload.length;
    if (this.bodyLimit >= 0 && this.bodyReceived > this.bodyLimit) return this.bodyLimitExceeded();
    this.socket.bytesRead += payload.length;
    if (this.req.push(payload) && this.held === 0) {
      const credit = (this.credit ??= new StreamCredit()).consumed(payload.length);
      if (credit > 0) this.connection.writer.windowUpdate(this.id, credit);
    } else {
      this.held += payload.length;
    }
  }

  /** TRAILERS from httpsys: the body's trailer section, the request's `trailers` once it ends. */
  onRequestTrailers(fields: string[]): void {
    if (this.upgradeSocket || incomingInternals(this.req).complete) return;
    this.requestTrailers = fields;
  }

  onRequestEnd(): void {
    if (this.upgradeSocket) {
      this.upgradeSocket.receiveEnd();
      return;
    }
    const internals = incomingInternals(this.req);
    if (internals.complete) return;
    internals.complete = true;
    // As Node's parserOnMessageComplete: with `complete` set, the lines become rawTrailers / trailers.
    const trailers = this.requestTrailers;
    if (trailers !== null && trailers.length > 0) {
      this.requestTrailers = null;
      internals._addHeaderLines(trailers, trailers.length);
    }
    this.req.push(null);
  }

  /** IncomingMessage wants more: return the credit held back while its buffer was full. */
  bodyConsumerReady(): void {
    if (this.held === 0 || this.closed) return;
    const credit = this.held + (this.credit?.takeAll() ?? 0);
    this.held = 0;
    this.connection.writer.windowUpdate(this.id, credit);
  }

  // --- endings -----------------------------------------------------------------------------------

  /** ABORT from httpsys: the client went away (or a timer cut the response). */
  onAbort(): void {
    if (this.closed) return;
    this.closed = true;
    this.dropUnsent();
    this.connection.streamEnded(this);
    if (this.upgradeSocket) {
      this.upgradeSocket.destroy();
      return;
    }
    this.socket.closeNow();
    const req = this.req;
    if (!req.complete || !req.readableEnded) req.destroy(connectionReset());
  }

  /** The application destroyed the socket (or the request/response, which destroy it). */
  destroyFromApplication(_error?: Error): void {
    if (!this.closed) {
      this.closed = true;
      this.dropUnsent();
      this.connection.writer.abort(this.id, AbortReason.ApplicationError);
      this.connection.streamEnded(this);
    }
    this.socket.closeNow();
  }

  /** The application called `socket.end()` itself. */
  endFromSocket(): void {
    if (!this.closed && this.headSent && this.unsent !== null) {
      // Its end follows the bytes still held, as a socket's FIN follows its buffered writes.
      if (this.endAfterUnsent === undefined) this.endAfterUnsent = null;
    } else if (!this.closed) {
      this.closed = true;
      if (this.headSent) this.connection.writer.empty(FrameType.ResponseEnd, this.id);
      else this.connection.writer.abort(this.id, AbortReason.ApplicationError);
      this.connection.streamEnded(this);
    }
    this.socket._writableState.ended = true;
    this.socket.closeNow();
  }

  /** Both halves of an upgraded stream are done, or it was destroyed. */
  upgradeClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.connection.streamEnded(this);
  }

  /** Shutdown: a long-lived stream (upgrade, SSE) is cut when the time limit nears. */
  cut(): void {
    if (this.closed) return;
    this.closed = true;
    this.dropUnsent();
    this.connection.writer.abort(this.id, AbortReason.ShuttingDown);
    this.connection.streamEnded(this);
    if (this.upgradeSocket) this.upgradeSocket.destroy();
    else {
      this.socket.closeNow();
      if (!this.req.readableEnded) this.req.destroy(connectionReset());
    }
  }

  /** An uncaught exception is taking the worker down: answer 500 if nothing was sent yet. */
  failWithServerError(): void {
    if (this.closed) return;
    if (!this.headSent && !this.upgradeSocket) {
      const body = 'The page cannot be displayed because an internal server error has occurred.';
      this.connection.writer.responseHead(this.id, 500, 'Internal Server Error', ['Content-Type', 'text/plain; charset=utf-8', 'Content-Length', String(body.length)]);
      this.connection.writer.dataString(FrameType.ResponseBody, this.id, body, 'latin1');
      this.connection.writer.empty(FrameType.ResponseEnd, this.id);
    } else {
      this.connection.writer.abort(this.id, AbortReason.ApplicationError);
    }
    this.closed = true;
    this.dropUnsent();
  }
}
