// httpsys' HTTP/2 front end. Node's node:http2 server-side session machinery (nghttp2) speaks the
// protocol on sockets httpsys accepted itself: a TLS socket whose ALPN chose `h2`, or a cleartext one
// that opened with the HTTP/2 preface where h2c is enabled. Each stream becomes the same ListenerRequest
// an HTTP/1.1 request becomes — the same router (checks, site, application, queue, HTTPERR), the same
// queues, workers, retries and W3C fields; only the framing of the answer differs (http2-exchange.ts).
//
// Limits: SETTINGS_MAX_CONCURRENT_STREAMS (httpSys http2MaxConcurrentStreams), SETTINGS_HEADER_TABLE_SIZE
// (http2HeaderTableSize), the header list bounded by MaxRequestBytes and each field by MaxFieldLength,
// Node's per-session memory cap (maxSessionMemory) and its outstanding PING/SETTINGS bounds, nghttp2's own
// flood guards; a rapid-reset cut-off: a client that cancels more than http2MaxStreamResetsPerMinute
// streams a minute gets GOAWAY ENHANCE_YOUR_CALM and an HTTPERR `Http2_RapidReset` line; and the
// per-stream header and idle timers (sweep()).
import { constants, createServer, type Http2Server, type IncomingHttpHeaders, type ServerHttp2Session, type ServerHttp2Stream } from 'node:http2';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { ListenerLimits } from '@poolhost/protocol';
import { ListenerRequest } from '../requests/listener-request.js';
import { REFUSED, type RefusalWriter, type RequestRouter } from '../requests/request-router.js';
import type { RequestHead } from '../connections/client-connection.js';
import { HttpSysErrors, type HttpSysError } from '../error-responses/http-sys-errors.js';
import { UNLIMITED_BANDWIDTH, type SiteBandwidthTable } from '../limits/site-bandwidth.js';
import type { HttpErrLog } from '../httperr-log/httperr-log.js';
import type { CacheCapture } from '../cache/cache-capture.js';
import type { ConnectionAddresses } from '../ssl/tls-front.js';
import { Http2ClientSession, type Http2SessionEvents } from './http2-client-session.js';
import { Http2Exchange } from './http2-exchange.js';
import { canDetectNghttp2Termination, endedByNghttp2, PROTOCOL_ERROR_REASON, sessionErrorReason } from './nghttp2-session-end.js';

/** The HTTP/2 connection preface (RFC 9113 §3.4): how an h2c client with prior knowledge starts. */
export const HTTP2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

/** Per-stream receive window offered to clients: the data plane's stream window. */
const STREAM_WINDOW = 256 * 1024;
/** The connection's receive window: room for several streams' uploads at once. */
const SESSION_WINDOW = 4 * 1024 * 1024;
/** RFC 7541 §4.1: each field counts its name, its value and 32 bytes. */
const FIELD_OVERHEAD = 32;

interface PendingSession {
  socket: Socket;
  addresses: ConnectionAddresses;
  secure: boolean;
  clientCertificate: string | null;
}

export class Http2Front implements RefusalWriter<ServerHttp2Stream>, Http2SessionEvents {
  private readonly server: Http2Server;
  private readonly clients = new WeakMap<ServerHttp2Session, Http2ClientSession>();
  readonly sessions = new Set<Http2ClientSession>();
  /** The socket being handed to Node's server: its session is created synchronously from it. */
  private pending: PendingSession | null = null;
  private appliedSettings = '';
  private terminationChecked = false;
  /** Connections cut for abuse, by reason (also in the HTTPERR counters). */
  readonly cutOffs = new Map<string, number>();

  constructor(
    private readonly router: RequestRouter,
    private readonly bandwidth: SiteBandwidthTable,
    private readonly httpErrLog: HttpErrLog,
    private readonly logger: Logger,
  ) {
    this.server = createServer({ settings: this.settings(router.limits), maxSessionMemory: 16 });
    this.appliedSettings = settingsKey(router.limits);
    this.server.on('session', (session: ServerHttp2Session) => this.onSession(session));
    this.server.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, flags: number, rawHeaders: string[]) =>
      this.onStream(stream, headers, flags, rawHeaders),
    );
  }

  private settings(limits: ListenerLimits) {
    return {
      maxConcurrentStreams: limits.http2MaxConcurrentStreams,
      headerTableSize: limits.http2HeaderTableSize,
      maxHeaderListSize: limits.maxRequestBytes + 64 * FIELD_OVERHEAD,
      initialWindowSize: STREAM_WINDOW,
      enablePush: false,
    };
  }

  /** New limits (ApplyUrlGroups) apply to sessions opened from now on. */
  applyLimits(limits: ListenerLimits): void {
    const key = settingsKey(limits);
    if (key === this.appliedSettings) return;
    this.appliedSettings = key;
    this.server.updateSettings(this.settings(limits));
  }

  /**
   * The per-stream timers, from httpsys' sweep. Header timer (HTTP.SYS' HeaderWait, `webLimits`
   * headerWaitTimeout): a header block (HEADERS, CONTINUATION …) not complete within it holds the whole
   * connection, which is cut — GOAWAY, HTTPERR `Timer_HeaderWait` with the stream id. Idle timer
   * (EntityBody, the site's connectionTimeout): a request body that makes no progress while httpsys
   * reads it — that stream is reset (RST_STREAM CANCEL), HTTPERR `Timer_EntityBody` with its stream id;
   * the connection and its other streams go on. And sessions nghttp2 itself ended for a protocol
   * violation without Node saying so: closed, HTTPERR `BadRequest` (nghttp2-session-end.ts).
   */
  sweep(now: number, headerWait: number): void {
    let expired: ListenerRequest[] | null = null;
    for (const client of this.sessions) {
      if (client.cut || client.session.destroyed) continue;
      if (endedByNghttp2(client.session)) {
        // nghttp2 sent GOAWAY for a protocol violation and Node said nothing (nghttp2-session-end.ts).
        this.cut(client, PROTOCOL_ERROR_REASON, 'nghttp2 ended the session for a protocol error (GOAWAY sent)', false);
        continue;
      }
      if (client.headerBlockExpired(now, headerWait)) {
        this.timeHeaderBlockOut(client);
        continue;
      }
      for (const request of client.active) {
        if ((request.carrier as Http2Exchange).entityBodyExpired(now, request.site.connectionTimeout)) (expired ??= []).push(request);
      }
    }
    if (expired === null) return;
    for (const request of expired) {
      const exchange = request.carrier as Http2Exchange;
      exchange.session.active.delete(request);
      this.countCutOff('Timer_EntityBody');
      this.router.logHttpErr(request.head, exchange.session, undefined, request.site, 'Timer_EntityBody', request.queue.name);
      request.entityBodyTimedOut();
      if (!exchange.stream.destroyed) exchange.stream.close(constants.NGHTTP2_CANCEL);
    }
  }

  private timeHeaderBlockOut(client: Http2ClientSession): void {
    const streamId = client.headerBlockStream;
    client.cut = true;
    this.countCutOff('Timer_HeaderWait');
    this.logConnection(client, 'Timer_HeaderWait', streamId);
    this.logger.info({ clientIp: client.clientIp, clientPort: client.clientPort, streamId }, `HTTP/2 connection from ${client.clientIp} closed: the header block of stream ${streamId} did not complete in time`);
    const session = client.session;
    session.goaway(constants.NGHTTP2_NO_ERROR, client.lastStreamSeen);
    session.destroy();
  }

  private countCutOff(reason: string): void {
    this.cutOffs.set(reason, (this.cutOffs.get(reason) ?? 0) + 1);
  }

  /** A TLS socket whose ALPN chose `h2`, or a cleartext one that opened with the preface (h2c). */
  accept(socket: Socket, addresses: ConnectionAddresses, secure: boolean, clientCertificate: string | null): void {
    // A server-side TLSSocket built by hand keeps `secureConnecting` until tls.Server would clear it;
    // Node's session waits for 'secureConnect' while it is set.
    (socket as Socket & { secureConnecting?: boolean }).secureConnecting = false;
    this.pending = { socket, addresses, secure, clientCertificate };
    try {
      this.server.emit('connection', socket);
    } finally {
      this.pending = null;
    }
  }

  private onSession(session: ServerHttp2Session): void {
    const pending = this.pending;
    if (!pending) {
      session.destroy();
      return;
    }
    if (!this.terminationChecked) {
      this.terminationChecked = true;
      if (!canDetectNghttp2Termination(session)) {
        this.logger.warn('this Node exposes no HTTP/2 session handle hasPendingData(): connections nghttp2 ends silently (GOAWAY for a protocol error) are closed by the idle timer and logged Timer_ConnectionIdle');
      }
    }
    const client = new Http2ClientSession(session, pending.socket, pending.addresses, pending.secure, pending.clientCertificate, this);
    this.clients.set(session, client);
    this.sessions.add(client);
    session.setLocalWindowSize(SESSION_WINDOW);
    const timeout = this.router.limits.connectionTimeout;
    if (timeout > 0) {
      // A listener of its own: setTimeout's callback is a `once`, and a timeout that finds a stream open
      // must not disarm the next one (activity re-arms Node's session timer).
      session.setTimeout(timeout);
      session.on('timeout', () => this.idle(client));
    }
    session.on('error', (error: NodeJS.ErrnoException) => this.sessionError(client, error));
    session.on('close', () => this.sessionClosed(client));
  }

  private idle(client: Http2ClientSession): void {
    if (client.active.size > 0) return;
    this.logConnection(client, 'Timer_ConnectionIdle');
    client.session.close();
  }

  private sessionError(client: Http2ClientSession, error: NodeJS.ErrnoException): void {
    // nghttp2 ended the session for the client's protocol violation (Node destroys it with GOAWAY
    // INTERNAL_ERROR): a flood it guards against (SETTINGS, PING, RST_STREAM, empty frames, the outbound
    // queue of acknowledgements; too many invalid frames or refused streams) is `Http2_Flood`, anything
    // else `BadRequest`. The client's own GOAWAY with an error code and socket errors are the client
    // leaving: no cut-off (nghttp2-session-end.ts).
    const reason = sessionErrorReason(error);
    if (reason === null) {
      this.logger.debug({ clientIp: client.clientIp, clientPort: client.clientPort, code: error.code }, 'HTTP/2 connection ended by the client');
      return;
    }
    this.cut(client, reason, error.message, false);
  }

  private sessionClosed(client: Http2ClientSession): void {
    this.sessions.delete(client);
    client.countedSite?.connectionClosed(client.socket.bytesWritten, client.socket.bytesRead);
    client.countedSite = null;
    for (const request of [...client.active]) {
      if (request.onClientGone()) this.router.logHttpErr(request.head, client, undefined, request.site, 'Connection_Dropped', request.queue.name);
    }
    client.active.clear();
  }

  private onStream(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, flags: number, rawHeaders: string[]): void {
    stream.on('error', ignoreStreamError);
    const client = this.clients.get(stream.session as ServerHttp2Session);
    if (!client || client.cut) {
      stream.close(constants.NGHTTP2_REFUSED_STREAM);
      return;
    }
    const router = this.router;
    const limits = router.limits;
    const streamId = stream.id ?? 0;
    if (streamId > client.lastStreamSeen) client.lastStreamSeen = streamId;
    const head = requestHead(headers, rawHeaders, streamId);
    if (head === null) {
      // Pseudo-headers nghttp2 let through but a request cannot be routed without (RFC 9113 §8.3.1).
      router.refuse(emptyHead(streamId, headers), client, HttpSysErrors.BadRequest, 'BadRequest', null, this, stream);
      return;
    }
    if (headerListBytes(rawHeaders) > limits.maxRequestBytes) {
      router.refuse(head, client, HttpSysErrors.RequestTooLong, 'RequestLength', null, this, stream);
      return;
    }
    if (head.method === 'CONNECT') {
      // HTTP.SYS is no proxy, and extended CONNECT (RFC 8441, WebSocket over h2) is not offered.
      router.refuse(head, client, HttpSysErrors.BadRequest, 'URL', null, this, stream);
      return;
    }
    const host = router.checkHead(head, client, this, stream);
    if (host === REFUSED) return;
    const route = router.routeRequest(head, host, client, this, stream);
    if (route === null) return;
    const { site, application, queue } = route;
    const endStream = (flags & constants.NGHTTP2_FLAG_END_STREAM) !== 0 || stream.endAfterHeaders;
    // The kernel response cache answers a hit here, before the queue, as for HTTP/1.1 (cache/kernel-cache.ts).
    if (endStream && router.kernelCache.serveStream(head, client, stream, site, queue, host)) return;
    const throttle = site.maxBandwidth < UNLIMITED_BANDWIDTH ? this.bandwidth.forSite(site.siteId, site.maxBandwidth) : null;
    const exchange = new Http2Exchange(stream, client);
    const request = new ListenerRequest(head, exchange, exchange, site, application, queue, Http2Exchange.flagsFor(endStream), client, throttle);
    client.active.add(request);
    if (!endStream) {
      let trailers: string[] | null = null;
      exchange.bodyStarted(Date.now());
      stream.on('data', (chunk: Buffer) => {
        exchange.bodyArrived(chunk.length);
        request.onRequestBody(chunk);
      });
      // Trailing HEADERS (END_STREAM) arrive before the stream's 'end'.
      stream.on('trailers', (_fields: IncomingHttpHeaders, _flags: number, rawTrailers?: string[]) => (trailers = Http2Exchange.trailerFields(rawTrailers)));
      stream.on('end', () => {
        exchange.bodyComplete();
        request.onRequestBodyEnd(trailers);
      });
    }
    stream.on('close', () => this.streamClosed(client, request));
    const rejection = queue.submit(request);
    if (rejection) {
      site.counters.errors++;
      request.refuse(queue.settings.loadBalancerCapabilities === 'TcpLevel', rejection);
    }
  }

  /** The stream closed: a request still in progress was cancelled by the client (RST_STREAM) or lost with its connection. */
  private streamClosed(client: Http2ClientSession, request: ListenerRequest): void {
    if (request.finished) return;
    client.active.delete(request);
    if (request.onClientGone()) this.router.logHttpErr(request.head, client, undefined, request.site, 'Connection_Dropped', request.queue.name);
    if (client.cut || client.session.destroyed) return;
    if (client.streamCancelled(Date.now(), this.router.limits.http2MaxStreamResetsPerMinute)) {
      this.cut(client, 'Http2_RapidReset', `more than ${this.router.limits.http2MaxStreamResetsPerMinute} streams cancelled within a minute`);
    }
  }

  /**
   * Ends an abusive connection: an HTTPERR line, a count, a warning; GOAWAY ENHANCE_YOUR_CALM unless
   * nghttp2 or Node has already sent its own GOAWAY (`goaway` false).
   */
  private cut(client: Http2ClientSession, reason: string, detail: string, goaway = true): void {
    if (client.cut) return;
    client.cut = true;
    this.countCutOff(reason);
    this.logConnection(client, reason);
    this.logger.warn({ clientIp: client.clientIp, clientPort: client.clientPort, reason }, `HTTP/2 connection from ${client.clientIp} cut: ${detail}`);
    const session = client.session;
    if (!session.destroyed) {
      if (goaway) session.goaway(constants.NGHTTP2_ENHANCE_YOUR_CALM);
      session.destroy();
    }
  }

  // --- RefusalWriter: HTTP.SYS' own answers end the stream; the connection goes on ---------------

  answerError(stream: ServerHttp2Stream, error: HttpSysError): void {
    if (stream.destroyed || stream.headersSent) return;
    stream.respond({
      [constants.HTTP2_HEADER_STATUS]: error.statusCode,
      'content-type': 'text/html; charset=us-ascii',
      server: 'Microsoft-HTTPAPI/2.0',
      'content-length': error.body.length,
    });
    stream.end(error.body);
  }

  answerRedirect(stream: ServerHttp2Stream, location: string): void {
    if (stream.destroyed || stream.headersSent) return;
    const body = Buffer.from(
      `<head><title>Document Moved</title></head>\n<body><h1>Object Moved</h1>This document may be found <a HREF="${location.replaceAll('"', '%22')}">here</a></body>`,
    );
    stream.respond({
      [constants.HTTP2_HEADER_STATUS]: 301,
      'content-type': 'text/html; charset=UTF-8',
      location,
      server: 'Microsoft-HTTPAPI/2.0',
      'content-length': body.length,
    });
    stream.end(body);
  }

  // --- Http2SessionEvents ------------------------------------------------------------------------

  streamError(client: Http2ClientSession, request: ListenerRequest, error: Error): void {
    this.logger.warn({ err: error, url: request.head.url }, 'the worker\'s response head could not be sent over HTTP/2; stream reset');
    this.router.logHttpErr(request.head, client, undefined, request.site, 'Connection_Abandoned_By_ReqQueue', request.queue.name);
  }

  requestFailed(client: Http2ClientSession, request: ListenerRequest, statusCode: number | undefined, reason: string): void {
    this.router.logHttpErr(request.head, client, statusCode, request.site, reason, request.queue.name);
  }

  kernelCacheable(request: ListenerRequest, payload: Buffer, statusCode: number, headers: string[]): CacheCapture | null {
    return this.router.kernelCache.capture(request, payload, statusCode, headers);
  }

  private logConnection(client: Http2ClientSession, reason: string, streamId?: number): void {
    this.httpErrLog.write({
      clientIp: client.clientIp,
      clientPort: client.clientPort,
      serverIp: client.localIp,
      serverPort: client.localPort,
      protocolVersion: 'HTTP/2.0',
      reason,
      ...(streamId ? { streamId } : {}),
    });
  }

  /**
   * Drain: GOAWAY (NO_ERROR, the last stream seen) to every session, which then closes once its streams
   * are done; the client opens its next streams elsewhere (RFC 9113 §6.8). Idempotent.
   */
  goAwayAll(): void {
    for (const client of this.sessions) {
      if (client.goingAway || client.cut || client.session.destroyed) continue;
      client.goingAway = true;
      client.session.goaway(constants.NGHTTP2_NO_ERROR, client.lastStreamSeen);
      client.session.close();
    }
  }

  destroyAll(): void {
    for (const client of this.sessions) client.session.destroy();
    this.sessions.clear();
  }
}

/** The settings a session is offered, as one comparable value. */
function settingsKey(limits: ListenerLimits): string {
  return `${limits.http2MaxConcurrentStreams}/${limits.http2HeaderTableSize}`;
}

function ignoreStreamError(): void {
  // 'close' follows; a reset stream is the client's doing, not httpsys' error.
}

/**
 * The request head a stream's HEADERS make: `:method`, `:path`, HTTP/2.0, and the fields as received —
 * `:authority` as `Host` when the client sent no Host field (RFC 9113 §8.3.1). Null without `:method`
 * or (but for CONNECT) `:path`.
 */
function requestHead(headers: IncomingHttpHeaders, rawHeaders: string[], streamId: number): RequestHead | null {
  const method = headers[constants.HTTP2_HEADER_METHOD];
  const path = headers[constants.HTTP2_HEADER_PATH];
  if (typeof method !== 'string' || (typeof path !== 'string' && method !== 'CONNECT')) return null;
  const authority = headers[constants.HTTP2_HEADER_AUTHORITY];
  const fields: string[] = [];
  if (typeof authority === 'string' && headers.host === undefined) fields.push('host', authority);
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    if (name.charCodeAt(0) === 58 /* : */) continue;
    fields.push(name, rawHeaders[i + 1]!);
  }
  return {
    method,
    url: typeof path === 'string' ? path : typeof authority === 'string' ? authority : '',
    httpVersionMajor: 2,
    httpVersionMinor: 0,
    rawHeaders: fields,
    keepAlive: true,
    upgrade: false,
    streamId,
  };
}

function emptyHead(streamId: number, headers: IncomingHttpHeaders): RequestHead {
  const method = headers[constants.HTTP2_HEADER_METHOD];
  return { method: typeof method === 'string' ? method : '', url: '', httpVersionMajor: 2, httpVersionMinor: 0, rawHeaders: [], keepAlive: true, upgrade: false, streamId };
}

/**
 * The header list's size as MaxRequestBytes counts an HTTP/1.1 head: each field as `name: value\r\n`
 * (HTTP/2's own accounting, RFC 9113 §6.5.2, adds 32 bytes a field; that bound is the advertised
 * SETTINGS_MAX_HEADER_LIST_SIZE).
 */
function headerListBytes(rawHeaders: string[]): number {
  let bytes = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) bytes += rawHeaders[i]!.length + rawHeaders[i + 1]!.length + 4;
  return bytes;
}
