// One HTTP/2 stream as a listener request sees it: the carrier its body arrives on and the writer its
// response leaves by. Reading is paused and resumed on the stream, so HTTP/2's own flow control tells a
// fast uploader to wait while the worker's stream window is used up; the response is written to the
// stream, whose `drain` (the client's HTTP/2 window opening) is what returns the data plane's credit to
// the worker — a slow h2 client never makes httpsys or a worker buffer a whole response.
import { constants, type OutgoingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import { RequestFlags } from '@poolhost/protocol';
import type { ListenerRequest } from '../requests/listener-request.js';
import type { RequestCarrier, ResponseWriter } from '../requests/request-front.js';
import type { HttpSysError } from '../error-responses/http-sys-errors.js';
import type { Http2ClientSession } from './http2-client-session.js';

export class Http2Exchange implements RequestCarrier, ResponseWriter {
  private request!: ListenerRequest;
  private readBlocks = 0;
  private bodyless = false;
  /** The application's trailer fields, sent on 'wantTrailers' (asked for with the head: see writeHead). */
  private trailers: string[] | null = null;
  /** sendTrailers bound, made only for a response that has trailers. */
  private sendTrailersBound: (() => void) | null = null;
  /** Body writes Node has not yet reported done (their DATA handed to the client's transport). */
  private writesInFlight = 0;
  /** The response ended while writes were in flight: END_STREAM goes after the last one's callback. */
  private endDeferred = false;
  /** afterWrite bound, made with the response's first body write. */
  private afterWriteBound: ((error?: Error | null) => void) | null = null;
  // EntityBody, per stream: re-armed whenever body bytes arrived since the last sweep.
  private receivingBody = false;
  private bodyBytes = 0;
  private bodyBytesChecked = 0;
  private bodyWaitSince = 0;

  constructor(
    readonly stream: ServerHttp2Stream,
    readonly session: Http2ClientSession,
  ) {}

  // --- request body ------------------------------------------------------------------------------

  /** The request has a body (no END_STREAM on its HEADERS): EntityBody runs from now. */
  bodyStarted(now: number): void {
    this.receivingBody = true;
    this.bodyWaitSince = now;
  }

  bodyArrived(bytes: number): void {
    this.bodyBytes += bytes;
  }

  bodyComplete(): void {
    this.receivingBody = false;
  }

  /**
   * HTTP.SYS' EntityBody timer for this stream: no body byte within `timeout` while httpsys was reading.
   * It does not run while httpsys itself stopped reading (the worker's window, a queued body at its
   * limit): HTTP/2's flow control is then holding the client back.
   */
  entityBodyExpired(now: number, timeout: number): boolean {
    if (!this.receivingBody || timeout <= 0) return false;
    if (this.readBlocks !== 0 || this.bodyBytes !== this.bodyBytesChecked) {
      this.bodyBytesChecked = this.bodyBytes;
      this.bodyWaitSince = now;
      return false;
    }
    return now - this.bodyWaitSince >= timeout;
  }

  // --- RequestCarrier ----------------------------------------------------------------------------

  get clientIp(): string {
    return this.session.clientIp;
  }

  get clientPort(): number {
    return this.session.clientPort;
  }

  get localIp(): string {
    return this.session.localIp;
  }

  get localPort(): number {
    return this.session.localPort;
  }

  get secure(): boolean {
    return this.session.secure;
  }

  get clientCertificate(): string | null {
    return this.session.clientCertificate;
  }

  blockReading(reason: number): void {
    if (this.readBlocks === 0) this.stream.pause();
    this.readBlocks |= reason;
  }

  unblockReading(reason: number): void {
    if (this.readBlocks === 0) return;
    this.readBlocks &= ~reason;
    if (this.readBlocks === 0 && !this.stream.destroyed) this.stream.resume();
  }

  startRawRelay(): void {
    // HTTP/2 has no Upgrade (RFC 9113 §8.6); intake never gives an h2 request the Upgrade flag.
  }

  stopRawRelay(): void {}

  requestEnded(_request: ListenerRequest): void {
    // Body bytes still arriving are read and dropped, so the connection's window keeps moving.
    this.receivingBody = false;
    this.readBlocks = 0;
    if (!this.stream.destroyed) this.stream.resume();
  }

  // --- ResponseWriter ----------------------------------------------------------------------------

  bind(request: ListenerRequest): void {
    this.request = request;
  }

  get needsDrain(): boolean {
    return this.stream.writableNeedDrain;
  }

  onceDrain(listener: () => void): void {
    this.stream.once('drain', listener);
  }

  get backlog(): number {
    return this.stream.writableLength;
  }

  writeContinue(): void {
    if (this.stream.headersSent || this.stream.destroyed) return;
    this.stream.additionalHeaders({ [constants.HTTP2_HEADER_STATUS]: 100 });
  }

  writeHead(statusCode: number, _reason: string, headers: string[], _close: boolean): void {
    const stream = this.stream;
    if (stream.destroyed || stream.headersSent) return;
    const request = this.request;
    const out: OutgoingHttpHeaders = Object.create(null) as OutgoingHttpHeaders;
    out[constants.HTTP2_HEADER_STATUS] = statusCode;
    for (let i = 0; i < headers.length; i += 2) {
      const name = headers[i]!.toLowerCase();
      const value = headers[i + 1]!;
      const existing = out[name];
      if (existing === undefined) out[name] = value;
      else if (Array.isArray(existing)) existing.push(value);
      else out[name] = [String(existing), value];
    }
    const hsts = request.site.strictTransportSecurity;
    if (hsts !== null && this.session.secure) out['strict-transport-security'] = hsts;
    this.bodyless = request.head.method === 'HEAD' || statusCode === 204 || statusCode === 304;
    // Trailers follow the body in a HEADERS frame, which must be asked for with the response's HEADERS:
    // when the application announces them (`Trailer`, RFC 9110 §6.6.2) or the client said it takes them
    // (`TE: trailers`, as gRPC clients do). Otherwise `res.addTrailers()`'s fields are dropped, as Node's
    // HTTP/1.1 server drops them from a response it does not chunk.
    const waitForTrailers = !this.bodyless && (out.trailer !== undefined || acceptsTrailers(request.head.rawHeaders));
    try {
      if (waitForTrailers) {
        stream.respond(out, { waitForTrailers: true });
        stream.once('wantTrailers', (this.sendTrailersBound ??= () => this.sendTrailers()));
      } else {
        stream.respond(out);
      }
    } catch (error) {
      // A field Node's HTTP/2 layer refuses (an invalid value, a connection-specific name): the stream is reset.
      this.session.streamError(this.request, error as Error);
      stream.close(constants.NGHTTP2_INTERNAL_ERROR);
    }
  }

  writeRaw(_payload: Buffer): void {
    this.reset(false);
  }

  writeBody(payload: Buffer): boolean {
    if (this.bodyless) return false;
    const stream = this.stream;
    if (stream.destroyed || stream.writableEnded) return false;
    this.writesInFlight++;
    stream.write(payload, this.writeDone());
    this.request.outputFlushed();
    return true;
  }

  /**
   * The response's end: END_STREAM once no body write is in flight. Ending the stream with a write in
   * flight (`write(); end()`) puts END_STREAM on that write's DATA frame; nghttp2 then closes the stream
   * (the client's half being closed) before Node reports the write done, Node destroys the stream on
   * close (its readable side has ended: see requestEnded), and the write's late completion makes
   * Writable build an ERR_STREAM_DESTROYED, stack trace and all, for every response
   * (docs/performance.md, "HTTP/2: where httpsys' CPU per h2 stream goes"). Ending after the last
   * write's callback costs an empty DATA frame carrying END_STREAM (9 bytes) instead.
   */
  end(trailers: string[] | null): void {
    const stream = this.stream;
    this.trailers = trailers;
    if (stream.destroyed || stream.writableEnded) return;
    if (this.writesInFlight > 0) this.endDeferred = true;
    else stream.end();
  }

  /** The callback every body write is given: one closure per response. */
  private writeDone(): (error?: Error | null) => void {
    return (this.afterWriteBound ??= (error) => this.afterWrite(error));
  }

  private afterWrite(error: Error | null | undefined): void {
    if (--this.writesInFlight > 0 || !this.endDeferred) return;
    this.endDeferred = false;
    // A failed write has destroyed the stream (Node resets it): there is nothing left to end.
    const stream = this.stream;
    if (error == null && !stream.destroyed && !stream.writableEnded) stream.end();
  }

  /** After the last DATA frame: the trailers (none: Node ends the stream with an empty DATA frame instead). */
  private sendTrailers(): void {
    const stream = this.stream;
    if (stream.destroyed) return;
    const fields: OutgoingHttpHeaders = Object.create(null) as OutgoingHttpHeaders;
    const trailers = this.trailers;
    if (trailers !== null) {
      for (let i = 0; i < trailers.length; i += 2) {
        const name = trailers[i]!.toLowerCase();
        const existing = fields[name];
        if (existing === undefined) fields[name] = trailers[i + 1]!;
        else fields[name] = Array.isArray(existing) ? [...existing, trailers[i + 1]!] : [String(existing), trailers[i + 1]!];
      }
    }
    try {
      stream.sendTrailers(fields);
    } catch (error) {
      // A field HTTP/2 forbids in trailers (a pseudo-header, a connection-specific one): the stream is reset.
      this.session.streamError(this.request, error as Error);
      stream.close(constants.NGHTTP2_INTERNAL_ERROR);
    }
  }

  answer(error: HttpSysError): void {
    const stream = this.stream;
    if (stream.destroyed) return;
    if (stream.headersSent) {
      stream.close(constants.NGHTTP2_INTERNAL_ERROR);
      return;
    }
    stream.respond({
      [constants.HTTP2_HEADER_STATUS]: error.statusCode,
      'content-type': 'text/html; charset=us-ascii',
      server: 'Microsoft-HTTPAPI/2.0',
      'content-length': error.body.length,
    });
    // As end(): END_STREAM after the write's callback, not on its DATA frame.
    this.trailers = null;
    this.writesInFlight++;
    this.endDeferred = true;
    stream.write(error.body, this.writeDone());
  }

  reset(_abortive: boolean): void {
    // RST_STREAM: the stream ends, the connection and its other streams go on.
    if (!this.stream.destroyed) this.stream.close(constants.NGHTTP2_INTERNAL_ERROR);
  }

  /** A request's trailer fields (its trailing HEADERS), as flat pairs. */
  static trailerFields(rawTrailers: string[] | undefined): string[] | null {
    if (rawTrailers === undefined || rawTrailers.length === 0) return null;
    return rawTrailers;
  }

  /** The request this exchange carries arrived with a body (no END_STREAM on its HEADERS). */
  static flagsFor(endStream: boolean): number {
    return endStream ? RequestFlags.KeepAlive : RequestFlags.KeepAlive | RequestFlags.HasBody;
  }
}

/** The request's `TE` lists `trailers` (HTTP/2 allows no other value there, RFC 9113 §8.2.2). */
function acceptsTrailers(rawHeaders: string[]): boolean {
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    if (name.length === 2 && name.toLowerCase() === 'te' && /(?:^|[\s,])trailers(?:$|[\s,;])/i.test(rawHeaders[i + 1]!)) return true;
  }
  return false;
}
