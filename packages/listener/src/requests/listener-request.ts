// One request from intake to its last byte: waits in its pool's queue, becomes a stream on a worker's
// data connection, carries the body there under flow control, and writes the worker's response to the
// client with backpressure (credit is returned only as the client socket takes the bytes).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import {
  AbortReason,
  FrameType,
  INITIAL_STREAM_WINDOW,
  RequestFlags,
  StreamCredit,
  decodeResponseHead,
} from '@poolhost/protocol';
import type { SiteRoute } from '../routing/routing-table.js';
import type { ApplicationEntry } from '../routing/application-matcher.js';
import type { RequestQueue } from '../request-queue/request-queue.js';
import type { WorkerConnection } from '../data-plane/worker-connection.js';
import type { ConnectionInfo } from './connection-info.js';
import { stripHopByHop } from './hop-by-hop.js';
import { HttpSysErrors, errorHeaders } from '../error-responses/http-sys-errors.js';

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
}

/** RFC 9110 §9.2.2: a request that may be repeated without a different effect. */
const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

export class ListenerRequest {
  state: RequestState = RequestState.Queued;
  enqueuedAt = 0;
  cancelled = false;
  worker: WorkerConnection | null = null;
  streamId = 0;
  retried = false;
  /** Upgrade streams stop counting against the worker's capacity once it has answered. */
  upgraded = false;
  // request body -> worker
  private sendWindow = INITIAL_STREAM_WINDOW;
  bodyBytesForwarded = 0;
  private bodyPaused = false;
  private onBodyData: ((chunk: Buffer) => void) | null = null;
  private onBodyEnd: (() => void) | null = null;
  // worker response -> client
  responseStartedAt = 0;
  responseBytes = 0;
  private credit: StreamCredit | null = null;
  private heldCredit = 0;
  private drainPending = false;
  private onDrain: (() => void) | null = null;

  constructor(
    readonly req: IncomingMessage,
    /** null for an upgrade request: the socket is ours to write raw. */
    readonly res: ServerResponse | null,
    readonly socket: Socket,
    readonly upgradeHead: Buffer | null,
    readonly connection: ConnectionInfo,
    readonly site: SiteRoute,
    readonly application: ApplicationEntry,
    readonly queue: RequestQueue,
    readonly flags: number,
    private readonly outcomes: RequestOutcomes,
  ) {}

  get idempotent(): boolean {
    return IDEMPOTENT_METHODS.has(this.req.method!);
  }

  /** Sends the head (and, for an upgrade, the bytes read past it) and starts the body. */
  dispatch(worker: WorkerConnection, streamId: number): void {
    this.worker = worker;
    this.streamId = streamId;
    this.state = RequestState.Dispatched;
    this.sendWindow = INITIAL_STREAM_WINDOW;
    const req = this.req;
    const connection = this.connection;
    worker.writer.requestHead(
      streamId,
      this.flags,
      this.site.siteId,
      req.method!,
      req.url!,
      req.httpVersionMajor,
      req.httpVersionMinor,
      req.rawHeaders,
      connection.clientIp,
      connection.clientPort,
      connection.localIp,
      connection.localPort,
      this.application.path,
    );
    if (this.upgradeHead) {
      if (this.upgradeHead.length > 0) this.forwardBody(this.upgradeHead, FrameType.UpgradeData);
      this.startUpgradeRelay();
    } else if (this.flags & RequestFlags.HasBody) {
      // HTTP.SYS answers `Expect: 100-continue` itself, once a worker has the request.
      if (this.flags & RequestFlags.ExpectContinue) this.res!.writeContinue();
      this.startBodyRelay();
    }
  }

  private startBodyRelay(): void {
    const req = this.req;
    this.onBodyData ??= (chunk: Buffer) => this.forwardBody(chunk, FrameType.RequestBody);
    this.onBodyEnd ??= () => {
      if (this.state === RequestState.Dispatched || this.state === RequestState.Responding) this.worker!.writer.empty(FrameType.RequestEnd, this.streamId);
    };
    req.on('data', this.onBodyData);
    req.on('end', this.onBodyEnd);
    if (req.isPaused()) req.resume();
  }

  private startUpgradeRelay(): void {
    const socket = this.socket;
    this.onBodyData ??= (chunk: Buffer) => this.forwardBody(chunk, FrameType.UpgradeData);
    this.onBodyEnd ??= () => {
      if (this.state !== RequestState.Done) this.worker!.writer.empty(FrameType.RequestEnd, this.streamId);
    };
    socket.on('data', this.onBodyData);
    socket.on('end', this.onBodyEnd);
    socket.resume();
  }

  private stopBodyRelay(): void {
    const source = this.upgradeHead ? this.socket : this.req;
    if (this.onBodyData) source.removeListener('data', this.onBodyData);
    if (this.onBodyEnd) source.removeListener('end', this.onBodyEnd);
    source.pause();
  }

  private forwardBody(chunk: Buffer, type: FrameType): void {
    if (this.state !== RequestState.Dispatched && this.state !== RequestState.Responding) return;
    this.worker!.writer.data(type, this.streamId, chunk);
    this.bodyBytesForwarded += chunk.length;
    this.sendWindow -= chunk.length;
    if (this.sendWindow <= 0 && !this.bodyPaused) {
      this.bodyPaused = true;
      (this.upgradeHead ? this.socket : this.req).pause();
    }
  }

  /** WINDOW_UPDATE from the worker: it consumed body bytes. */
  onWindowUpdate(credit: number): void {
    this.sendWindow += credit;
    if (this.bodyPaused && this.sendWindow > 0) {
      this.bodyPaused = false;
      (this.upgradeHead ? this.socket : this.req).resume();
    }
  }

  onResponseHead(payload: Buffer): void {
    if (this.state !== RequestState.Dispatched) return;
    this.state = RequestState.Responding;
    this.responseStartedAt = Date.now();
    const head = decodeResponseHead(payload);
    if (this.res) {
      this.res.writeHead(head.statusCode, head.reason, stripHopByHop(head.headers));
      return;
    }
    // The application did not take the upgrade: an ordinary response, then the connection closes.
    const headers = stripHopByHop(head.headers);
    let text = `HTTP/1.1 ${head.statusCode} ${head.reason}\r\n`;
    for (let i = 0; i < headers.length; i += 2) text += `${headers[i]}: ${headers[i + 1]}\r\n`;
    this.socket.write(`${text}Connection: close\r\n\r\n`, 'latin1');
  }

  /** RESPONSE_BODY or UPGRADE_DATA from the worker. */
  onResponseData(payload: Buffer): void {
    if (this.state === RequestState.Done) return;
    if (this.upgradeHead && !this.upgraded) this.worker!.upgradeAnswered(this);
    if (this.state === RequestState.Dispatched) {
      this.state = RequestState.Responding;
      this.responseStartedAt = Date.now();
    }
    this.responseBytes += payload.length;
    const written = this.res ? this.res.write(payload) : this.socket.write(payload);
    if (written && !this.drainPending) {
      const credit = (this.credit ??= new StreamCredit()).consumed(payload.length);
      if (credit > 0) this.worker!.writer.windowUpdate(this.streamId, credit);
      return;
    }
    this.heldCredit += payload.length;
    if (this.drainPending) return;
    this.drainPending = true;
    this.onDrain ??= () => this.drained();
    (this.res ?? this.socket).once('drain', this.onDrain);
  }

  /** True while the client has not taken the last response bytes (for the minimum send rate timer). */
  get stalled(): boolean {
    return this.drainPending;
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
    if (credit > 0) this.worker!.writer.windowUpdate(this.streamId, credit);
  }

  onResponseEnd(): void {
    if (this.state === RequestState.Done) return;
    if (this.state === RequestState.Dispatched && !this.res) {
      // An upgrade request the worker ended without a byte.
      this.socket.end();
    } else if (this.res) {
      if (this.state === RequestState.Dispatched) this.res.writeHead(200);
      this.res.end();
    } else {
      this.socket.end();
    }
    this.finish();
    this.outcomes.completed(this);
  }

  /** ABORT from the worker: its application failed this request. */
  onWorkerAbort(): void {
    if (this.state === RequestState.Done) return;
    const started = this.state === RequestState.Responding;
    this.finish();
    if (!started && this.res && !this.res.headersSent) this.answer(HttpSysErrors.BadGateway);
    else this.socket.destroy();
    this.outcomes.abandoned(this, 'Connection_Abandoned_By_ReqQueue');
  }

  /**
   * The worker's data connection died. A request that is idempotent, streamed no body and got no
   * response byte is retried once on another worker; anything else fails (502, or a reset once the
   * response has started).
   */
  onWorkerLost(): 'retry' | 'failed' {
    if (this.state === RequestState.Done) return 'failed';
    const untouched = this.state === RequestState.Dispatched && this.bodyBytesForwarded === 0 && !this.upgradeHead;
    if (untouched && !this.retried && this.idempotent) {
      this.retried = true;
      this.stopBodyRelay();
      this.worker = null;
      this.streamId = 0;
      this.state = RequestState.Queued;
      return 'retry';
    }
    const started = this.state === RequestState.Responding;
    this.finish();
    if (!started && this.res && !this.res.headersSent) this.answer(HttpSysErrors.BadGateway);
    else this.socket.destroy();
    this.outcomes.abandoned(this, 'Connection_Abandoned_By_ReqQueue');
    return 'failed';
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
    if (typeof this.socket.resetAndDestroy === 'function' && !this.socket.destroyed) this.socket.resetAndDestroy();
    else this.socket.destroy();
  }

  private finish(): void {
    const worker = this.worker;
    this.state = RequestState.Done;
    if (this.onBodyData) this.stopBodyRelay();
    if (worker) worker.endStream(this);
  }

  private answer(error: (typeof HttpSysErrors)[keyof typeof HttpSysErrors]): void {
    const res = this.res!;
    res.writeHead(error.statusCode, error.title, errorHeaders(error));
    res.end(error.body);
  }
}
