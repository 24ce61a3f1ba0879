// One request from intake to its last byte: waits in its pool's queue, becomes a stream on a worker's
// data connection, carries the body there under flow control, and hands the worker's response to its
// front end's writer (HTTP/1.1 or HTTP/2) with backpressure: credit goes back to the worker only as the
// client takes the bytes. Its state changes only here, through `move` and the table in request-state.ts.
import {
  AbortReason,
  FrameType,
  INITIAL_STREAM_WINDOW,
  RequestFlags,
  ResponseFlags,
  StreamCredit,
  decodeResponseHead,
  decodeTrailers,
  type KernelCacheStoreVerdict,
} from '@poolhost/protocol';
import type { SiteRoute } from '../routing/routing-table.js';
import type { ApplicationEntry } from '../routing/application-matcher.js';
import type { RequestQueue } from '../request-queue/request-queue.js';
import type { RequestHead } from '../connections/client-connection.js';
import { ReadBlock } from '../connections/read-block.js';
import { stripHopByHop } from './hop-by-hop.js';
import { HttpSysErrors } from '../error-responses/http-sys-errors.js';
import type { BandwidthThrottle } from '../limits/site-bandwidth.js';
import { RequestEvent, RequestState, nextRequestState } from './request-state.js';
import type { RequestCarrier, ResponseWriter } from './request-front.js';
import type { CacheCapture } from '../cache/cache-capture.js';

export { RequestState } from './request-state.js';

/** What a request reports to httpsys when it ends. */
export interface RequestOutcomes {
  completed(request: ListenerRequest): void;
  /** The worker flagged the response KernelCacheable: the kernel cache's copy of it, if it may be one (null: none). */
  kernelCacheable(request: ListenerRequest, payload: Buffer, statusCode: number, headers: string[]): CacheCapture | null;
  /** It failed after dispatch (HTTPERR `reason`, 502 when nothing was written yet). */
  abandoned(request: ListenerRequest, reason: string): void;
  /** Its queue refused it, dropped it when disabled, or let it expire (HTTPERR `reason`, with the status written, if any). */
  turnedAway(request: ListenerRequest, statusCode: number | undefined, reason: string): void;
}

/** What a request needs of the worker it was dispatched to (data-plane/worker-connection.ts). */
export interface RequestWorker {
  readonly writer: {
    requestHead(
      streamId: number,
      flags: number,
      siteId: number,
      method: string,
      url: string,
      httpVersionMajor: number,
      httpVersionMinor: number,
      rawHeaders: string[],
      clientIp: string,
      clientPort: number,
      localIp: string,
      localPort: number,
      applicationPath: string,
      clientCertificate: string | null,
    ): void;
    data(type: FrameType, streamId: number, chunk: Buffer): void;
    empty(type: FrameType, streamId: number): void;
    trailers(streamId: number, fields: readonly string[]): void;
    windowUpdate(streamId: number, credit: number): void;
    abort(streamId: number, reason: AbortReason): void;
    cacheStoreVerdict(streamId: number, verdict: KernelCacheStoreVerdict): void;
  };
  /** The worker wrote its first bytes on an upgrade stream: the stream stops counting against capacity. */
  upgradeAnswered(request: ListenerRequest): void;
  /** The stream ended (normally or not). */
  endStream(request: ListenerRequest): void;
  /** Detached (recycling) or gone: what it stored in the kernel cache was flushed. */
  readonly detached: boolean;
}

/** RFC 9110 §9.2.2: a request that may be repeated without a different effect. */
const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

/** Body bytes a queued request keeps before httpsys stops reading its connection (Node's stream default). */
const QUEUED_BODY_LIMIT = 64 * 1024;

export class ListenerRequest {
  private current: RequestState = RequestState.Queued;
  private cancelledWhileQueued = false;
  private worker: RequestWorker | null = null;
  private stream = 0;
  private retriedOnce = false;
  private upgradeAnsweredOnce = false;
  /** Bytes read past an upgrade request's head (set once the packet is parsed). */
  upgradeHead: Buffer | null = null;
  // request body -> worker
  private sendWindow = INITIAL_STREAM_WINDOW;
  private bodyBytesForwarded = 0;
  private bodyEnded = false;
  /** The request body's trailer fields (HTTP/1.1 chunked trailer section, HTTP/2 trailing HEADERS). */
  private requestTrailers: string[] | null = null;
  /** `res.addTrailers()`'s fields, written with the response's end. */
  private responseTrailers: string[] | null = null;
  /** Body chunks that arrived while the request waited for a worker. */
  private queuedBody: Buffer[] | null = null;
  private queuedBodyBytes = 0;
  /** This request stopped its carrier's reading (stream window used up / queued body at its limit). */
  private windowBlocked = false;
  private queuedBodyBlocked = false;
  private onRawData: ((chunk: Buffer) => void) | null = null;
  private onRawEnd: (() => void) | null = null;
  // worker response -> client
  private responseStart = 0;
  private responseBytes = 0;
  /** Something of a response (the worker's or httpsys' own) was written: a failure can only reset. */
  private headWritten = false;
  private credit: StreamCredit | null = null;
  private heldCredit = 0;
  private drainPending = false;
  private onDrain: (() => void) | null = null;
  /** The site's maxBandwidth throttle (null: unlimited). */
  private readonly throttle: BandwidthThrottle | null;
  /** Credit held back by the throttle: (time it may go to the worker, bytes) pairs, in time order. */
  private throttledCredit: number[] | null = null;
  private throttleTimer: NodeJS.Timeout | null = null;
  /** The kernel response cache's copy of this response, while it is collected (cache/cache-capture.ts). */
  private cacheCapture: CacheCapture | null = null;

  constructor(
    readonly head: RequestHead,
    readonly carrier: RequestCarrier,
    readonly writer: ResponseWriter,
    readonly site: SiteRoute,
    readonly application: ApplicationEntry,
    readonly queue: RequestQueue<ListenerRequest>,
    readonly flags: number,
    private readonly outcomes: RequestOutcomes,
    throttle: BandwidthThrottle | null = null,
  ) {
    this.throttle = throttle;
    writer.bind(this);
  }

  // --- state -------------------------------------------------------------------------------------

  get state(): RequestState {
    return this.current;
  }

  get finished(): boolean {
    return this.current === RequestState.Done;
  }

  /** The one setter: applies `event` by the table; false (nothing changes) when it does not apply. */
  private move(event: RequestEvent): boolean {
    const next = nextRequestState(this.current, event);
    if (next === null) return false;
    this.current = next;
    return true;
  }

  /** Its client left while it waited in the queue (QueueableRequest). */
  get cancelled(): boolean {
    return this.cancelledWhileQueued;
  }

  /** Timer_AppPool (QueueableRequest): the site's connectionTimeout. */
  get queueTimeout(): number {
    return this.site.connectionTimeout;
  }

  /** The worker it was dispatched to (null: still queued). */
  get dispatchedTo(): RequestWorker | null {
    return this.worker;
  }

  get streamId(): number {
    return this.stream;
  }

  get retried(): boolean {
    return this.retriedOnce;
  }

  /** An upgrade stream the worker has answered: it no longer counts against the worker's capacity. */
  get upgraded(): boolean {
    return this.upgradeAnsweredOnce;
  }

  /** When the response started (0: not yet). */
  get responseStartedAt(): number {
    return this.responseStart;
  }

  get idempotent(): boolean {
    return IDEMPOTENT_METHODS.has(this.head.method);
  }

  /** Sends the head (and, for an upgrade, the bytes read past it) and starts the body. `Queued -> Dispatched`. */
  dispatch(worker: RequestWorker, streamId: number): boolean {
    if (!this.move(RequestEvent.Dispatch)) return false;
    this.worker = worker;
    this.stream = streamId;
    this.sendWindow = INITIAL_STREAM_WINDOW;
    const head = this.head;
    const carrier = this.carrier;
    worker.writer.requestHead(
      streamId,
      carrier.clientCertificate === null ? this.flags : this.flags | RequestFlags.ClientCertificate,
      this.site.siteId,
      head.method,
      head.url,
      head.httpVersionMajor,
      head.httpVersionMinor,
      head.rawHeaders,
      carrier.clientIp,
      carrier.clientPort,
      carrier.localIp,
      carrier.localPort,
      this.application.path,
      carrier.clientCertificate,
    );
    if (this.flags & RequestFlags.Upgrade) {
      if (this.upgradeHead && this.upgradeHead.length > 0) this.forwardBody(this.upgradeHead, FrameType.UpgradeData);
      this.startRawRelay();
    } else if (this.flags & RequestFlags.HasBody) {
      // HTTP.SYS answers `Expect: 100-continue` itself, once a worker has the request.
      if (this.flags & RequestFlags.ExpectContinue && !this.bodyEnded && this.queuedBodyBytes === 0) this.writer.writeContinue();
      const queued = this.queuedBody;
      if (queued) {
        this.queuedBody = null;
        this.queuedBodyBytes = 0;
        this.unblockQueuedBody();
        for (const chunk of queued) this.forwardBody(chunk, FrameType.RequestBody);
      }
      if (this.bodyEnded) this.sendRequestEnd();
    }
    return true;
  }

  // --- request body ------------------------------------------------------------------------------

  /** A body chunk from the front end. */
  onRequestBody(chunk: Buffer): void {
    if (this.current === RequestState.Dispatched || this.current === RequestState.Responding) {
      this.forwardBody(chunk, FrameType.RequestBody);
      return;
    }
    if (this.current !== RequestState.Queued) return;
    (this.queuedBody ??= []).push(chunk);
    this.queuedBodyBytes += chunk.length;
    if (this.queuedBodyBytes >= QUEUED_BODY_LIMIT && !this.queuedBodyBlocked) {
      this.queuedBodyBlocked = true;
      this.carrier.blockReading(ReadBlock.QueuedBody);
    }
  }

  /** The body is complete; `trailers`: its trailer fields, if the client sent any. */
  onRequestBodyEnd(trailers: string[] | null = null): void {
    this.bodyEnded = true;
    if (trailers !== null && trailers.length > 0) this.requestTrailers = trailers;
    if (this.current === RequestState.Dispatched || this.current === RequestState.Responding) this.sendRequestEnd();
  }

  private sendRequestEnd(): void {
    const writer = this.worker!.writer;
    if (this.requestTrailers !== null) writer.trailers(this.stream, this.requestTrailers);
    writer.empty(FrameType.RequestEnd, this.stream);
  }

  private unblockQueuedBody(): void {
    if (!this.queuedBodyBlocked) return;
    this.queuedBodyBlocked = false;
    this.carrier.unblockReading(ReadBlock.QueuedBody);
  }

  private unblockWindow(): void {
    if (!this.windowBlocked) return;
    this.windowBlocked = false;
    this.carrier.unblockReading(ReadBlock.BodyWindow);
  }

  private startRawRelay(): void {
    this.onRawData ??= (chunk: Buffer) => this.forwardBody(chunk, FrameType.UpgradeData);
    this.onRawEnd ??= () => {
      if (this.current !== RequestState.Done) this.worker!.writer.empty(FrameType.RequestEnd, this.stream);
    };
    this.carrier.startRawRelay(this.onRawData, this.onRawEnd);
  }

  private stopBodyRelay(): void {
    if (this.onRawData) this.carrier.stopRawRelay(this.onRawData, this.onRawEnd!);
    this.unblockWindow();
  }

  private forwardBody(chunk: Buffer, type: FrameType): void {
    if (this.current !== RequestState.Dispatched && this.current !== RequestState.Responding) return;
    this.worker!.writer.data(type, this.stream, chunk);
    this.bodyBytesForwarded += chunk.length;
    this.sendWindow -= chunk.length;
    if (this.sendWindow <= 0 && !this.windowBlocked) {
      this.windowBlocked = true;
      this.carrier.blockReading(ReadBlock.BodyWindow);
    }
  }

  /** WINDOW_UPDATE from the worker: it consumed body bytes. */
  onWindowUpdate(credit: number): void {
    this.sendWindow += credit;
    if (this.sendWindow > 0) this.unblockWindow();
  }

  // --- response ----------------------------------------------------------------------------------

  /** RESPONSE_HEAD from the worker. `Dispatched -> Responding`. */
  onResponseHead(payload: Buffer, flags = 0): void {
    if (!this.move(RequestEvent.Respond)) return;
    this.responseStart = Date.now();
    const head = decodeResponseHead(payload);
    if (head.statusCode >= 404) this.site.counters.responded(head.statusCode);
    const headers = stripHopByHop(head.headers);
    if (flags & ResponseFlags.KernelCacheable) this.cacheCapture = this.outcomes.kernelCacheable(this, payload, head.statusCode, headers);
    this.headWritten = true;
    this.writer.writeHead(
      head.statusCode,
      head.reason,
      headers,
      // The worker refused the rest of the body (413.1): the connection ends after this response.
      (flags & ResponseFlags.CloseConnection) !== 0,
    );
  }

  /** RESPONSE_BODY or UPGRADE_DATA from the worker. */
  onResponseData(payload: Buffer): void {
    if (this.current === RequestState.Done) return;
    const upgrade = (this.flags & RequestFlags.Upgrade) !== 0;
    if (upgrade && !this.upgradeAnsweredOnce) {
      this.upgradeAnsweredOnce = true;
      this.worker!.upgradeAnswered(this);
    }
    if (this.move(RequestEvent.Respond)) {
      this.responseStart = Date.now();
      this.headWritten = true;
      // Raw bytes (an upgrade's own 101 and what follows) carry their own head.
      if (!upgrade) this.writer.writeHead(200, 'OK', [], false);
    }
    this.responseBytes += payload.length;
    if (this.cacheCapture !== null) this.cacheCapture.append(payload);
    if (payload.length === 0) return;
    // Held before the write: a writer that flushes at once calls outputFlushed from inside it.
    this.heldCredit += payload.length;
    if (upgrade) this.writer.writeRaw(payload);
    else if (!this.writer.writeBody(payload)) {
      this.heldCredit -= payload.length;
      this.returnCredit(payload.length);
    }
  }

  /** TRAILERS from the worker (`res.addTrailers()`): written after the body. Such a response is not cached. */
  onResponseTrailers(payload: Buffer): void {
    if (this.current !== RequestState.Responding) return;
    const fields = decodeTrailers(payload);
    if (fields.length > 0) this.responseTrailers = fields;
    if (this.cacheCapture !== null) {
      this.cacheCapture.refuse('RESPONSE_MORE_DATA', 'trailers');
      this.cacheCapture = null;
    }
  }

  /** RESPONSE_END from the worker. `-> Done`. */
  onResponseEnd(): void {
    if (this.current === RequestState.Dispatched && !(this.flags & RequestFlags.Upgrade)) {
      this.headWritten = true;
      this.writer.writeHead(200, 'OK', ['Content-Length', '0'], false);
    }
    const capture = this.cacheCapture;
    this.cacheCapture = null; // end() refuses a capture still held: the response did not complete
    if (!this.end()) return;
    capture?.complete();
    this.writer.end(this.responseTrailers);
    this.outcomes.completed(this);
  }

  /**
   * The writer put out what the response produced so far: the credit for those bytes goes back to the
   * worker now, or once the client's transport drains.
   */
  outputFlushed(): void {
    if (this.heldCredit === 0 || this.drainPending) return;
    if (this.writer.needsDrain) {
      this.drainPending = true;
      this.onDrain ??= () => this.drained();
      this.writer.onceDrain(this.onDrain);
      return;
    }
    const credit = this.heldCredit;
    this.heldCredit = 0;
    this.returnCredit(credit);
  }

  private returnCredit(bytes: number): void {
    if (this.current === RequestState.Done || bytes === 0) return;
    const credit = (this.credit ??= new StreamCredit()).consumed(bytes);
    if (credit > 0) this.grantCredit(credit);
  }

  /** WINDOW_UPDATE to the worker, unless the site's maxBandwidth holds it back for a while. */
  private grantCredit(credit: number): void {
    const throttle = this.throttle;
    if (throttle === null) {
      this.worker!.writer.windowUpdate(this.stream, credit);
      return;
    }
    const delay = throttle.charge(credit);
    const held = (this.throttledCredit ??= []);
    if (delay === 0 && held.length === 0) {
      this.worker!.writer.windowUpdate(this.stream, credit);
      return;
    }
    // Due times only grow (the site's debt only grows between refills), so the list stays in order.
    held.push(Date.now() + delay, credit);
    if (this.throttleTimer === null) this.throttleTimer = setTimeout(() => this.releaseThrottled(), delay);
  }

  /** Credit whose time has come goes to the worker; the timer is set again for the next. */
  private releaseThrottled(): void {
    this.throttleTimer = null;
    const held = this.throttledCredit;
    if (this.current === RequestState.Done || held === null) return;
    const now = Date.now();
    let credit = 0;
    let index = 0;
    while (index < held.length && held[index]! <= now) {
      credit += held[index + 1]!;
      index += 2;
    }
    held.splice(0, index);
    if (credit > 0) this.worker!.writer.windowUpdate(this.stream, credit);
    if (held.length > 0) this.throttleTimer = setTimeout(() => this.releaseThrottled(), Math.max(1, held[0]! - now));
  }

  /**
   * MinBytesPerSecond, called by the sweep: true when the response is backlogged on the client's
   * transport and, since it started, the client has taken fewer than `minimumRate` bytes a second. As in
   * HTTP.SYS, a byte counts once the TCP stack has it (see reliability.md).
   */
  belowSendRate(now: number, minimumRate: number): boolean {
    if (!this.drainPending || this.responseStart === 0) return false;
    const elapsed = now - this.responseStart;
    if (elapsed < 1_000) return false;
    const delivered = this.responseBytes - this.writer.backlog;
    return (delivered * 1_000) / elapsed < minimumRate;
  }

  private drained(): void {
    this.drainPending = false;
    if (this.current === RequestState.Done) return;
    const credit = this.heldCredit + (this.credit?.takeAll() ?? 0);
    this.heldCredit = 0;
    if (credit > 0) this.grantCredit(credit);
  }

  // --- endings -----------------------------------------------------------------------------------

  /** ABORT from the worker: its application failed this request. */
  onWorkerAbort(): void {
    if (!this.end()) return;
    this.fail();
    this.outcomes.abandoned(this, 'Connection_Abandoned_By_ReqQueue');
  }

  /**
   * The worker's data connection died. A request that is idempotent, streamed no body and got no
   * response byte is retried once on another worker (`Dispatched -> Queued`); anything else fails
   * (502, or a reset once the response has started).
   */
  onWorkerLost(): 'retry' | 'failed' {
    if (this.current === RequestState.Done) return 'failed';
    const untouched = this.current === RequestState.Dispatched && this.bodyBytesForwarded === 0 && !(this.flags & RequestFlags.Upgrade);
    if (untouched && !this.retriedOnce && this.idempotent && this.move(RequestEvent.Requeue)) {
      this.retriedOnce = true;
      this.stopBodyRelay();
      this.worker = null;
      this.stream = 0;
      return 'retry';
    }
    this.end();
    this.fail();
    this.outcomes.abandoned(this, 'Connection_Abandoned_By_ReqQueue');
    return 'failed';
  }

  /** 502 when nothing of the response was written yet, else the connection (or HTTP/2 stream) is reset. */
  private fail(): void {
    if (!this.headWritten && !(this.flags & RequestFlags.Upgrade)) this.answer(HttpSysErrors.BadGateway);
    else this.writer.reset(false);
  }

  /** httpsys answers the request itself (once it has ended): its error response, then the connection closes. */
  private answer(error: Parameters<ResponseWriter['answer']>[0]): void {
    this.headWritten = true;
    this.writer.answer(error);
  }

  /**
   * The queue turned the request away, or was disabled while it waited: `-> Done`, answered with 503
   * or dropped (`dropConnection`: a TcpLevel queue, an upgrade request waiting in a disabled queue).
   */
  refuse(dropConnection: boolean, reason: string): void {
    if (!this.end()) return;
    if (dropConnection) {
      this.writer.reset(false);
      this.outcomes.turnedAway(this, undefined, reason);
      return;
    }
    this.answer(HttpSysErrors.ServiceUnavailable);
    this.outcomes.turnedAway(this, 503, reason);
  }

  /** It waited in its queue past the site's connectionTimeout (Timer_AppPool): `-> Done`, the connection is dropped. */
  expire(): void {
    if (!this.end()) return;
    this.writer.reset(false);
    this.outcomes.turnedAway(this, undefined, 'Timer_AppPool');
  }

  /** The client's connection (or stream) closed. Returns true when a worker was still working on the request. */
  onClientGone(): boolean {
    const queued = this.current === RequestState.Queued;
    const dispatched = this.worker !== null;
    if (!this.end()) return false;
    if (queued) {
      this.cancelledWhileQueued = true;
      this.queue.withdraw();
      return false;
    }
    if (dispatched) this.worker!.writer.abort(this.stream, AbortReason.ClientGone);
    return dispatched;
  }

  /** Cuts the response (Timer_MinBytesPerSecond): an abortive close, as HTTP.SYS does. */
  cutOff(): void {
    const worker = this.worker;
    if (!this.end()) return;
    worker?.writer.abort(this.stream, AbortReason.Timeout);
    this.writer.reset(true);
  }

  /**
   * HTTP.SYS' EntityBody timer expired: no body byte arrived within the site's connectionTimeout while
   * httpsys was reading. The request ends here (a queued one leaves its queue, a dispatched one is
   * aborted on its worker); the caller closes the connection.
   */
  entityBodyTimedOut(): void {
    const queued = this.current === RequestState.Queued;
    const worker = this.worker;
    if (!this.end()) return;
    if (queued) {
      this.cancelledWhileQueued = true;
      this.queue.withdraw();
      return;
    }
    worker?.writer.abort(this.stream, AbortReason.Timeout);
  }

  /** `-> Done` and everything the request holds is let go; false when it had already ended. */
  private end(): boolean {
    if (!this.move(RequestEvent.End)) return false;
    if (this.cacheCapture !== null) {
      this.cacheCapture.refuse('RESPONSE_ABORTED');
      this.cacheCapture = null;
    }
    this.queuedBody = null;
    this.unblockQueuedBody();
    this.stopBodyRelay();
    if (this.throttleTimer !== null) {
      clearTimeout(this.throttleTimer);
      this.throttleTimer = null;
    }
    this.carrier.requestEnded(this);
    this.worker?.endStream(this);
    return true;
  }
}
