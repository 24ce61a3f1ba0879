// One request from intake to its last byte: waits in its pool's queue, becomes a stream on a worker's
// data connection, carries the body there under flow control, and writes the worker's response to the
// client — framed by httpsys (Content-Length as given, else chunked, else close), in the connection's
// request order, with backpressure (credit is returned only as the client socket takes the bytes).
import type { Socket } from 'node:net';
import {
  AbortReason,
  FrameType,
  INITIAL_STREAM_WINDOW,
  RequestFlags,
  ResponseFlags,
  StreamCredit,
  decodeResponseHead,
} from '@poolhost/protocol';
import type { SiteRoute } from '../routing/routing-table.js';
import type { ApplicationEntry } from '../routing/application-matcher.js';
import type { RequestQueue } from '../request-queue/request-queue.js';
import type { WorkerConnection } from '../data-plane/worker-connection.js';
import { ReadBlock, type ClientConnection, type RequestHead } from '../connections/client-connection.js';
import { stripHopByHop } from './hop-by-hop.js';
import { HttpSysErrors, errorResponseBytes, type HttpSysError } from '../error-responses/http-sys-errors.js';
import { httpDate } from '../error-responses/http-date.js';
import type { BandwidthThrottle } from '../limits/site-bandwidth.js';
import type { CacheCapture } from '../cache/cache-capture.js';

export const RequestState = {
  Queued: 0,
  Dispatched: 1,
  Responding: 2,
  Done: 3,
} as const;
export type RequestState = (typeof RequestState)[keyof typeof RequestState];

/** What a request needs from httpsys when it ends abnormally. */
export interface RequestOutcomes {
  abandoned(request: ListenerRequest, reason: string): void;
  completed(request: ListenerRequest): void;
  /** The worker flagged the response KernelCacheable: the kernel cache's copy of it, if it may be one. */
  kernelCacheable(request: ListenerRequest, payload: Buffer, statusCode: number, headers: string[]): CacheCapture | null;
}

/** RFC 9110 §9.2.2: a request that may be repeated without a different effect. */
const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

/** Body bytes a queued request keeps before httpsys stops reading its connection (Node's stream default). */
const QUEUED_BODY_LIMIT = 64 * 1024;
/** Output up to this size is joined into one buffer: one `write` instead of a `writev` of pieces. */
const JOIN_OUTPUT_LIMIT = 16 * 1024;
const CONTINUE = Buffer.from('HTTP/1.1 100 Continue\r\n\r\n', 'latin1');
const LAST_CHUNK = Buffer.from('0\r\n\r\n', 'latin1');
const CRLF = Buffer.from('\r\n', 'latin1');

// Responses written while a worker's packet of frames is decoded are flushed once it is done, so a
// response whose head, body and end arrived together leaves in one write.
let outputBatch: ListenerRequest[] | null = null;

/** Runs `decode` (frames from a worker) and then writes every client response it produced. */
export function writeResponsesAfter(decode: () => void): void {
  const batch: ListenerRequest[] = (outputBatch = []);
  try {
    decode();
  } finally {
    outputBatch = null;
    for (let i = 0; i < batch.length; i++) batch[i]!.flushOutput();
  }
}

export class ListenerRequest {
  state: RequestState = RequestState.Queued;
  enqueuedAt = 0;
  cancelled = false;
  worker: WorkerConnection | null = null;
  streamId = 0;
  retried = false;
  /** Upgrade streams stop counting against the worker's capacity once it has answered. */
  upgraded = false;
  /** Bytes read past an upgrade request's head (set once the packet is parsed). */
  upgradeHead: Buffer | null = null;
  // request body -> worker
  private sendWindow = INITIAL_STREAM_WINDOW;
  bodyBytesForwarded = 0;
  private bodyEnded = false;
  /** Body chunks that arrived while the request waited for a worker. */
  private queuedBody: Buffer[] | null = null;
  private queuedBodyBytes = 0;
  /** This request stopped its connection's reading (stream window used up / queued body at its limit). */
  private windowBlocked = false;
  private queuedBodyBlocked = false;
  private onUpgradeData: ((chunk: Buffer) => void) | null = null;
  private onUpgradeEnd: (() => void) | null = null;
  // worker response -> client
  responseStartedAt = 0;
  responseBytes = 0;
  private headWritten = false;
  private chunked = false;
  /** HEAD, 204, 304: whatever body the worker sends is not the client's. */
  private bodyless = false;
  /** The connection ends after this response. */
  private closeAfter = false;
  private responseComplete = false;
  private output: (Buffer | string)[] | null = null;
  private outputBytes = 0;
  private flushScheduled = false;
  private credit: StreamCredit | null = null;
  private heldCredit = 0;
  private drainPending = false;
  private onDrain: (() => void) | null = null;
  /** The site's maxBandwidth throttle (null: unlimited). */
  throttle: BandwidthThrottle | null = null;
  /** Credit held back by the throttle: (time it may go to the worker, bytes) pairs, in time order. */
  private throttledCredit: number[] | null = null;
  private throttleTimer: NodeJS.Timeout | null = null;
  /** The kernel response cache's copy of this response, while it is collected (cache/cache-capture.ts). */
  private cacheCapture: CacheCapture | null = null;

  constructor(
    readonly head: RequestHead,
    readonly connection: ClientConnection,
    readonly site: SiteRoute,
    readonly application: ApplicationEntry,
    readonly queue: RequestQueue,
    readonly flags: number,
    private readonly outcomes: RequestOutcomes,
  ) {}

  get socket(): Socket {
    return this.connection.socket;
  }

  get idempotent(): boolean {
    return IDEMPOTENT_METHODS.has(this.head.method);
  }

  /** Sends the head (and, for an upgrade, the bytes read past it) and starts the body. */
  dispatch(worker: WorkerConnection, streamId: number): void {
    this.worker = worker;
    this.streamId = streamId;
    this.state = RequestState.Dispatched;
    this.sendWindow = INITIAL_STREAM_WINDOW;
    const head = this.head;
    const connection = this.connection;
    worker.writer.requestHead(
      streamId,
      connection.clientCertificate === null ? this.flags : this.flags | RequestFlags.ClientCertificate,
      this.site.siteId,
      head.method,
      head.url,
      head.httpVersionMajor,
      head.httpVersionMinor,
      head.rawHeaders,
      connection.clientIp,
      connection.clientPort,
      connection.localIp,
      connection.localPort,
      this.application.path,
      connection.clientCertificate,
    );
    if (this.flags & RequestFlags.Upgrade) {
      if (this.upgradeHead && this.upgradeHead.length > 0) this.forwardBody(this.upgradeHead, FrameType.UpgradeData);
      this.startUpgradeRelay();
    } else if (this.flags & RequestFlags.HasBody) {
      // HTTP.SYS answers `Expect: 100-continue` itself, once a worker has the request.
      if (this.flags & RequestFlags.ExpectContinue && !this.bodyEnded && this.queuedBodyBytes === 0) this.write(CONTINUE);
      const queued = this.queuedBody;
      if (queued) {
        this.queuedBody = null;
        this.queuedBodyBytes = 0;
        this.unblockQueuedBody();
        for (const chunk of queued) this.forwardBody(chunk, FrameType.RequestBody);
      }
      if (this.bodyEnded) worker.writer.empty(FrameType.RequestEnd, streamId);
    }
  }

  // --- request body ------------------------------------------------------------------------------

  /** A body chunk from the parser. */
  onRequestBody(chunk: Buffer): void {
    if (this.state === RequestState.Dispatched || this.state === RequestState.Responding) {
      this.forwardBody(chunk, FrameType.RequestBody);
      return;
    }
    if (this.state !== RequestState.Queued) return;
    (this.queuedBody ??= []).push(chunk);
    this.queuedBodyBytes += chunk.length;
    if (this.queuedBodyBytes >= QUEUED_BODY_LIMIT && !this.queuedBodyBlocked) {
      this.queuedBodyBlocked = true;
      this.connection.blockReading(ReadBlock.QueuedBody);
    }
  }

  private unblockQueuedBody(): void {
    if (!this.queuedBodyBlocked) return;
    this.queuedBodyBlocked = false;
    this.connection.unblockReading(ReadBlock.QueuedBody);
  }

  private unblockWindow(): void {
    if (!this.windowBlocked) return;
    this.windowBlocked = false;
    this.connection.unblockReading(ReadBlock.BodyWindow);
  }

  onRequestBodyEnd(): void {
    this.bodyEnded = true;
    if (this.state === RequestState.Dispatched || this.state === RequestState.Responding) this.worker!.writer.empty(FrameType.RequestEnd, this.streamId);
  }

  private startUpgradeRelay(): void {
    const socket = this.socket;
    this.onUpgradeData ??= (chunk: Buffer) => this.forwardBody(chunk, FrameType.UpgradeData);
    this.onUpgradeEnd ??= () => {
      if (this.state !== RequestState.Done) this.worker!.writer.empty(FrameType.RequestEnd, this.streamId);
    };
    socket.on('data', this.onUpgradeData);
    socket.on('end', this.onUpgradeEnd);
    socket.resume();
  }

  private stopBodyRelay(): void {
    if (this.onUpgradeData) {
      this.socket.removeListener('data', this.onUpgradeData);
      this.socket.removeListener('end', this.onUpgradeEnd!);
      this.socket.pause();
    }
    this.unblockWindow();
  }

  private forwardBody(chunk: Buffer, type: FrameType): void {
    if (this.state !== RequestState.Dispatched && this.state !== RequestState.Responding) return;
    this.worker!.writer.data(type, this.streamId, chunk);
    this.bodyBytesForwarded += chunk.length;
    this.sendWindow -= chunk.length;
    if (this.sendWindow <= 0 && !this.windowBlocked) {
      this.windowBlocked = true;
      this.connection.blockReading(ReadBlock.BodyWindow);
    }
  }

  /** WINDOW_UPDATE from the worker: it consumed body bytes. */
  onWindowUpdate(credit: number): void {
    this.sendWindow += credit;
    if (this.sendWindow > 0) this.unblockWindow();
  }

  // --- response ----------------------------------------------------------------------------------

  onResponseHead(payload: Buffer, flags = 0): void {
    if (this.state !== RequestState.Dispatched) return;
    this.state = RequestState.Responding;
    // The worker refused the rest of the body (413.1): the connection ends after this response.
    if (flags & ResponseFlags.CloseConnection) this.closeAfter = true;
    this.responseStartedAt = Date.now();
    const head = decodeResponseHead(payload);
    if (head.statusCode >= 404) this.site.counters.responded(head.statusCode);
    const headers = stripHopByHop(head.headers);
    if (flags & ResponseFlags.KernelCacheable) this.cacheCapture = this.outcomes.kernelCacheable(this, payload, head.statusCode, headers);
    this.writeHead(head.statusCode, head.reason, headers);
  }

  private writeHead(statusCode: number, reason: string, headers: string[]): void {
    this.headWritten = true;
    const request = this.head;
    let text = `HTTP/1.1 ${statusCode} ${reason}\r\n`;
    let hasLength = false;
    let hasDate = false;
    for (let i = 0; i < headers.length; i += 2) {
      const name = headers[i]!;
      text += `${name}: ${headers[i + 1]!}\r\n`;
      if (name.length === 14) hasLength ||= name.toLowerCase() === 'content-length';
      else if (name.length === 4) hasDate ||= name.toLowerCase() === 'date';
    }
    if (!hasDate) text += `Date: ${httpDate()}\r\n`;
    const hsts = this.site.strictTransportSecurity;
    if (hsts !== null && this.connection.secure) text += `Strict-Transport-Security: ${hsts}\r\n`;
    if (this.flags & RequestFlags.Upgrade) {
      // The application did not take the upgrade: an ordinary response, then the connection closes.
      this.closeAfter = true;
    } else {
      this.bodyless = request.method === 'HEAD' || statusCode === 204 || statusCode === 304 || statusCode < 200;
      if (!this.bodyless && !hasLength) {
        if (request.httpVersionMinor >= 1) {
          text += 'Transfer-Encoding: chunked\r\n';
          this.chunked = true;
        } else {
          this.closeAfter = true; // an HTTP/1.0 body without a length ends with the connection
        }
      }
      if (!request.keepAlive || this.connection.closing) this.closeAfter = true;
    }
    if (this.closeAfter) text += 'Connection: close\r\n\r\n';
    else if (request.httpVersionMinor === 0) text += 'Connection: keep-alive\r\n\r\n';
    else text += '\r\n';
    this.write(text);
  }

  /** RESPONSE_BODY or UPGRADE_DATA from the worker. */
  onResponseData(payload: Buffer): void {
    if (this.state === RequestState.Done) return;
    if (this.flags & RequestFlags.Upgrade && !this.upgraded) this.worker!.upgradeAnswered(this);
    if (this.state === RequestState.Dispatched) {
      this.state = RequestState.Responding;
      this.responseStartedAt = Date.now();
      // Raw bytes (an upgrade's own 101 and what follows) carry their own head.
      if (!(this.flags & RequestFlags.Upgrade)) this.writeHead(200, 'OK', []);
      else this.headWritten = true;
    }
    this.responseBytes += payload.length;
    if (this.cacheCapture !== null) this.cacheCapture.append(payload);
    if (this.bodyless || payload.length === 0) {
      this.returnCredit(payload.length);
      return;
    }
    this.heldCredit += payload.length;
    if (this.chunked) {
      this.write(`${payload.length.toString(16)}\r\n`);
      this.write(payload);
      this.write(CRLF);
    } else {
      this.write(payload);
    }
  }

  onResponseEnd(): void {
    if (this.state === RequestState.Done) return;
    if (this.flags & RequestFlags.Upgrade) {
      this.closeAfter = true;
    } else {
      if (this.state === RequestState.Dispatched) this.writeHead(200, 'OK', ['Content-Length', '0']);
      if (this.chunked) this.write(LAST_CHUNK);
    }
    this.responseComplete = true;
    if (this.cacheCapture !== null) {
      this.cacheCapture.complete();
      this.cacheCapture = null;
    }
    this.scheduleFlush();
    this.finish();
    this.outcomes.completed(this);
  }

  /** httpsys answers the request itself (a 503 from a disabled queue, a 502 for a lost worker), then closes. */
  answer(error: HttpSysError): void {
    this.headWritten = true;
    this.closeAfter = true;
    this.responseComplete = true;
    this.output = null;
    this.outputBytes = 0;
    this.write(errorResponseBytes(error));
  }

  private write(data: Buffer | string): void {
    (this.output ??= []).push(data);
    this.outputBytes += data.length;
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    if (this.connection.outgoing[0] !== this) return; // written when the responses before it are out
    if (outputBatch) {
      this.flushScheduled = true;
      outputBatch.push(this);
    } else {
      this.flushOutput();
    }
  }

  /** Writes what the response has produced so far (called when it is first in line on its connection). */
  flushOutput(): void {
    this.flushScheduled = false;
    const socket = this.socket;
    const output = this.output;
    if (output && !socket.destroyed) {
      this.output = null;
      if (output.length === 1) {
        const only = output[0]!;
        if (typeof only === 'string') socket.write(only, 'latin1');
        else socket.write(only);
      } else if (this.outputBytes <= JOIN_OUTPUT_LIMIT) {
        socket.write(joinOutput(output, this.outputBytes));
      } else {
        socket.cork();
        for (const piece of output) {
          if (typeof piece === 'string') socket.write(piece, 'latin1');
          else socket.write(piece);
        }
        socket.uncork();
      }
      this.outputBytes = 0;
    }
    if (this.responseComplete) {
      this.responseComplete = false;
      this.connection.responseWritten(this, this.closeAfter);
      return;
    }
    if (this.heldCredit > 0 && !this.drainPending) {
      if (socket.writableNeedDrain) {
        this.drainPending = true;
        this.onDrain ??= () => this.drained();
        socket.once('drain', this.onDrain);
      } else {
        const credit = this.heldCredit;
        this.heldCredit = 0;
        this.returnCredit(credit);
      }
    }
  }

  private returnCredit(bytes: number): void {
    if (this.state === RequestState.Done || bytes === 0) return;
    const credit = (this.credit ??= new StreamCredit()).consumed(bytes);
    if (credit > 0) this.grantCredit(credit);
  }

  /** WINDOW_UPDATE to the worker, unless the site's maxBandwidth holds it back for a while. */
  private grantCredit(credit: number): void {
    const throttle = this.throttle;
    if (throttle === null) {
      this.worker!.writer.windowUpdate(this.streamId, credit);
      return;
    }
    const delay = throttle.charge(credit);
    const held = (this.throttledCredit ??= []);
    if (delay === 0 && held.length === 0) {
      this.worker!.writer.windowUpdate(this.streamId, credit);
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
    if (this.state === RequestState.Done || held === null) return;
    const now = Date.now();
    let credit = 0;
    let index = 0;
    while (index < held.length && held[index]! <= now) {
      credit += held[index + 1]!;
      index += 2;
    }
    held.splice(0, index);
    if (credit > 0) this.worker!.writer.windowUpdate(this.streamId, credit);
    if (held.length > 0) this.throttleTimer = setTimeout(() => this.releaseThrottled(), Math.max(1, held[0]! - now));
  }

  /**
   * MinBytesPerSecond, called by the sweep: true when the response is backlogged on the client socket
   * and, since it started, the client has taken fewer than `minimumRate` bytes a second. As in HTTP.SYS,
   * a byte counts once the TCP stack has it: a client that stops reading is only noticed once the
   * kernel's socket buffers (megabytes on loopback) are full and the average has fallen below the
   * minimum — see reliability.md.
   */
  belowSendRate(now: number, minimumRate: number): boolean {
    if (!this.drainPending || this.responseStartedAt === 0) return false;
    const elapsed = now - this.responseStartedAt;
    if (elapsed < 1_000) return false;
    const delivered = this.responseBytes - this.socket.writableLength;
    return (delivered * 1_000) / elapsed < minimumRate;
  }

  private drained(): void {
    this.drainPending = false;
    if (this.state === RequestState.Done) return;
    const credit = this.heldCredit + (this.credit?.takeAll() ?? 0);
    this.heldCredit = 0;
    if (credit > 0) this.grantCredit(credit);
  }

  /** ABORT from the worker: its application failed this request. */
  onWorkerAbort(): void {
    if (this.state === RequestState.Done) return;
    this.finish();
    this.fail();
    this.outcomes.abandoned(this, 'Connection_Abandoned_By_ReqQueue');
  }

  /**
   * The worker's data connection died. A request that is idempotent, streamed no body and got no
   * response byte is retried once on another worker; anything else fails (502, or a reset once the
   * response has started).
   */
  onWorkerLost(): 'retry' | 'failed' {
    if (this.state === RequestState.Done) return 'failed';
    const untouched = this.state === RequestState.Dispatched && this.bodyBytesForwarded === 0 && !(this.flags & RequestFlags.Upgrade);
    if (untouched && !this.retried && this.idempotent) {
      this.retried = true;
      this.stopBodyRelay();
      this.worker = null;
      this.streamId = 0;
      this.state = RequestState.Queued;
      return 'retry';
    }
    this.finish();
    this.fail();
    this.outcomes.abandoned(this, 'Connection_Abandoned_By_ReqQueue');
    return 'failed';
  }

  /** 502 when nothing of the response was written yet, else the connection is reset. */
  private fail(): void {
    if (!this.headWritten && !(this.flags & RequestFlags.Upgrade)) this.answer(HttpSysErrors.BadGateway);
    else this.socket.destroy();
  }

  /** The client's connection closed. Returns true when a worker was still working on the request. */
  onClientGone(): boolean {
    if (this.state === RequestState.Done) return false;
    if (this.state === RequestState.Queued) {
      this.cancelled = true;
      this.state = RequestState.Done;
      this.queue.cancel();
      return false;
    }
    this.worker!.writer.abort(this.streamId, AbortReason.ClientGone);
    this.finish();
    return true;
  }

  /** Cuts the response (Timer_MinBytesPerSecond): an abortive close, as HTTP.SYS does. */
  cutOff(): void {
    if (this.state === RequestState.Done) return;
    this.worker?.writer.abort(this.streamId, AbortReason.Timeout);
    this.finish();
    // A plain close would queue the FIN behind the megabytes still in the send buffer, which the slow
    // client would take minutes to reach: a reset ends the connection now.
    // (A TLS socket cannot be reset: Node refuses resetAndDestroy on anything but a TCP handle.)
    if (!this.connection.secure && typeof this.socket.resetAndDestroy === 'function' && !this.socket.destroyed) this.socket.resetAndDestroy();
    else this.socket.destroy();
  }

  /**
   * HTTP.SYS' EntityBody timer expired: no body byte arrived within the site's connectionTimeout while
   * httpsys was reading. The request ends here (a queued one leaves its queue, a dispatched one is
   * aborted on its worker); the caller closes the connection.
   */
  entityBodyTimedOut(): void {
    if (this.state === RequestState.Done) return;
    if (this.state === RequestState.Queued) {
      this.cancelled = true;
      this.state = RequestState.Done;
      this.queue.cancel();
      return;
    }
    this.worker?.writer.abort(this.streamId, AbortReason.Timeout);
    this.finish();
  }

  private finish(): void {
    const worker = this.worker;
    this.state = RequestState.Done;
    this.queuedBody = null;
    this.unblockQueuedBody();
    this.stopBodyRelay();
    if (this.throttleTimer !== null) {
      clearTimeout(this.throttleTimer);
      this.throttleTimer = null;
    }
    const connection = this.connection;
    if (connection.bodyTarget === this) {
      connection.bodyTarget = null;
      // The response is done before the body: what is left is read and dropped (DrainEntityBody).
      if (connection.receivingBody) connection.drainingSince = Date.now();
    }
    if (worker) worker.endStream(this);
  }
}

function joinOutput(output: (Buffer | string)[], bytes: number): Buffer {
  const joined = Buffer.allocUnsafe(bytes);
  let offset = 0;
  for (const piece of output) {
    if (typeof piece === 'string') offset += joined.latin1Write(piece, offset);
    else {
      piece.copy(joined, offset);
      offset += piece.length;
    }
  }
  return joined;
}
