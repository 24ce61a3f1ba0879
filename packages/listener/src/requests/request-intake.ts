// Everything between the parser and a request queue: limits, routing (site by binding, then
// application by path), and HTTP.SYS' own answers — 400/404/414/503 with its exact bodies, a dropped
// connection for TcpLevel queues, and an HTTPERR line for each.
import { RequestFlags } from '@poolhost/protocol';
import type { SiteRoute } from '../routing/routing-table.js';
import type { HttpErrLog } from '../httperr-log/httperr-log.js';
import { HttpSysErrors, errorResponseBytes, type HttpSysError } from '../error-responses/http-sys-errors.js';
import { httpDate } from '../error-responses/http-date.js';
import { UNLIMITED_BANDWIDTH, type SiteBandwidthTable } from '../limits/site-bandwidth.js';
import type { SiteCounters } from '../counters/listener-counters.js';
import { ListenerRequest, type RequestOutcomes } from './listener-request.js';
import { ReadBlock, type ClientConnection, type ConnectionEvents, type RequestHead } from '../connections/client-connection.js';
import { Http1ResponseWriter } from '../connections/http1-response-writer.js';
import type { OutputBatch } from '../data-plane/output-batch.js';
import type { RequestCarrier } from './request-front.js';
import { REFUSED, type RefusalWriter, type RequestRouter } from './request-router.js';
import { HTTP2_PREFACE } from '../http2/http2-front.js';
import type { ParseError } from '../connections/http-parser.js';
import type { CacheCapture } from '../cache/cache-capture.js';
import { bodyFraming, checkFraming, dropContentLength, versionSupported } from './request-checks.js';

/**
 * Pipelining bounds. Responses on a connection go out in order, so a pipelined request's response can
 * only be buffered until those before it are done: at most this many requests of one connection are
 * queued or on a worker at a time (each can buffer up to a stream window of response), the rest are held
 * in order on the connection...
 */
export const MAX_PIPELINE_DISPATCH = 4;
/** ...and once this many are held, httpsys stops reading the connection until they have been dispatched. */
export const MAX_PIPELINE_HELD = 64;

const kDrainListener = Symbol('poolhost.drainListener');


/** llhttp error codes -> HTTPERR reason and the answer HTTP.SYS gives. */
function classifyParseError(code: string | undefined): { reason: string; error: HttpSysError | null } {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return { reason: 'RequestLength', error: HttpSysErrors.RequestTooLong };
    case 'HPE_INVALID_VERSION':
      return { reason: 'Version_N/S', error: HttpSysErrors.VersionNotSupported };
    case 'HPE_INVALID_METHOD':
      return { reason: 'Verb', error: HttpSysErrors.BadRequest };
    case 'HPE_INVALID_URL':
      return { reason: 'URL', error: HttpSysErrors.BadRequest };
    case 'HPE_INVALID_HEADER_TOKEN':
    case 'HPE_UNEXPECTED_SPACE':
      return { reason: 'Header', error: HttpSysErrors.BadRequest };
    case 'HPE_LF_EXPECTED':
    case 'HPE_CR_EXPECTED':
    case 'HPE_STRICT':
      return { reason: 'Invalid_CR/LF', error: HttpSysErrors.BadRequest };
    case 'HPE_INVALID_CONTENT_LENGTH':
    case 'HPE_UNEXPECTED_CONTENT_LENGTH':
      return { reason: 'Number', error: HttpSysErrors.BadRequest };
    case 'HPE_INVALID_TRANSFER_ENCODING':
      return { reason: 'N/I', error: HttpSysErrors.BadRequest };
    default:
      return { reason: 'BadRequest', error: HttpSysErrors.BadRequest };
  }
}

export class RequestIntake implements RequestOutcomes, ConnectionEvents, RefusalWriter<ClientConnection> {
  constructor(
    private readonly router: RequestRouter,
    private readonly bandwidth: SiteBandwidthTable,
    private readonly httpErrLog: HttpErrLog,
    private readonly batch: OutputBatch,
    /** h2c prior knowledge: takes a fresh connection that opened with the HTTP/2 preface (false: refused as before). */
    private readonly http2Preface: (connection: ClientConnection, preface: Buffer) => boolean = () => false,
  ) {}

  // RefusalWriter: HTTP.SYS' answer, after the responses before it; then the connection closes.
  answerError(connection: ClientConnection, error: HttpSysError): void {
    connection.answerLast(errorResponseBytes(error));
  }

  answerRedirect(connection: ClientConnection, location: string): void {
    connection.answerLast(redirectToHttps(location));
  }

  answerRaw(connection: ClientConnection, response: Buffer): void {
    connection.answerLast(response);
  }

  onRequestHead(connection: ClientConnection, head: RequestHead): void {
    // A connection HTTP.SYS has answered with an error is closing: requests pipelined behind the bad one
    // (a smuggled request among them) are never routed.
    if (connection.closing || connection.lastRequestAccepted) return;
    const router = this.router;
    if (head.upgrade && head.method === 'CONNECT') {
      // CONNECT (authority-form target): HTTP.SYS is no proxy; 400 `URL`.
      router.refuse(head, connection, HttpSysErrors.BadRequest, 'URL', null, this, connection);
      return;
    }
    if (!versionSupported(head.httpVersionMajor, head.httpVersionMinor)) {
      router.refuse(head, connection, HttpSysErrors.VersionNotSupported, 'Version_N/S', null, this, connection);
      return;
    }
    const host = router.checkHead(head, connection, this, connection);
    if (host === REFUSED) return;
    const raw = head.rawHeaders;
    const framing = head.upgrade ? null : bodyFraming(raw);
    const framingVerdict = framing && checkFraming(head.method, framing);
    if (framingVerdict === 'LengthRequired') {
      router.refuse(head, connection, HttpSysErrors.LengthRequired, framingVerdict, null, this, connection);
      return;
    }
    if (framingVerdict) {
      router.refuse(head, connection, HttpSysErrors.BadRequest, framingVerdict, null, this, connection);
      return;
    }
    const overridden = framing !== null && framing.transferEncoding !== null && framing.hasContentLength;
    // llhttp ends a request without Transfer-Encoding and with no (or a 0) Content-Length with its head.
    if (framing !== null && !framing.hasBody) connection.bodyless = true;
    const route = router.routeRequest(head, host, connection, this, connection);
    if (route === null) return;
    const { site, application, queue } = route;
    // The kernel response cache answers a hit here, before the queue (cache/kernel-cache.ts).
    if (framing !== null && !framing.hasBody && router.kernelCache.serve(head, connection, site, queue, host)) return;

    if (overridden) {
      dropContentLength(raw);
      head.keepAlive = false;
      connection.lastRequestAccepted = true;
    }
    let flags = framing === null ? RequestFlags.Upgrade : 0;
    if (framing?.hasBody) flags |= RequestFlags.HasBody;
    if (framing?.expectContinue) flags |= RequestFlags.ExpectContinue;
    if (head.keepAlive) flags |= RequestFlags.KeepAlive;
    const throttle = site.maxBandwidth < UNLIMITED_BANDWIDTH ? this.bandwidth.forSite(site.siteId, site.maxBandwidth) : null;
    const writer = new Http1ResponseWriter(connection, this.batch);
    const request = new ListenerRequest(head, connection, writer, site, application, queue, flags, this, throttle);
    if (flags & RequestFlags.HasBody) connection.startBody(request);
    // Queued once the packet carrying it has parsed without error (ClientConnection.packetParsed).
    connection.accepted(request, writer);
  }

  submitParsed(request: ListenerRequest): void {
    this.enqueue(request, request.site.counters);
  }

  private enqueue(request: ListenerRequest, siteCounters: SiteCounters): void {
    const connection = connectionOf(request);
    if (connection.held.length > 0 || connection.active.length >= MAX_PIPELINE_DISPATCH || this.backlogged(connection)) {
      // A pipelined request behind several unfinished ones: held, and the connection no longer read
      // once too many are held (a client pipelining thousands of requests without reading the answers).
      connection.held.push({ request, siteCounters });
      if (connection.held.length >= MAX_PIPELINE_HELD) connection.blockReading(ReadBlock.Pipeline);
      return;
    }
    this.submit(request, siteCounters);
  }

  /**
   * True while the client has not taken the responses already written to it: pipelined requests wait
   * (otherwise a client that never reads would have every response of its pipeline buffered in httpsys).
   * Releasing resumes on the socket's 'drain'.
   */
  private backlogged(connection: ClientConnection): boolean {
    const socket = connection.socket as ClientConnection['socket'] & { [kDrainListener]?: boolean };
    if (!socket.writableNeedDrain) return false;
    if (!socket[kDrainListener]) {
      socket[kDrainListener] = true;
      socket.on('drain', () => {
        if (connection.held.length > 0) this.release(connection);
      });
    }
    return true;
  }

  /** Requests held behind finished ones go to their queues, in order; reading resumes once all are out. */
  private release(connection: ClientConnection): void {
    while (connection.held.length > 0 && connection.active.length < MAX_PIPELINE_DISPATCH && !connection.closing && !this.backlogged(connection)) {
      const { request, siteCounters } = connection.held.shift()!;
      if (connection.socket.destroyed) {
        connection.held.length = 0;
        break;
      }
      this.submit(request, siteCounters);
    }
    if (connection.held.length === 0) connection.unblockReading(ReadBlock.Pipeline);
  }

  private submit(request: ListenerRequest, siteCounters: SiteCounters): void {
    const connection = connectionOf(request);
    const queue = request.queue;
    const rejection = queue.submit(request);
    if (rejection) {
      siteCounters.errors++;
      connection.closing = true;
      request.refuse(queue.settings.loadBalancerCapabilities === 'TcpLevel', rejection);
      return;
    }
    if (!request.finished) connection.active.push(request);
  }

  /** llhttp rejected the bytes (or the client closed mid-request) before there was a request. */
  onParseError(connection: ClientConnection, error: ParseError): void {
    const socket = connection.socket;
    // Bytes after a request HTTP.SYS has already refused are not another request: one answer, one line.
    if (!socket.writable || connection.closing) {
      socket.destroy();
      return;
    }
    const packet = error.rawPacket;
    // h2c with prior knowledge: a fresh connection that opens with the HTTP/2 preface.
    if (packet && packet.length >= HTTP2_PREFACE.length && connection.outgoing.length === 0 && connection.countedSite === null) {
      if (packet.subarray(0, HTTP2_PREFACE.length).equals(HTTP2_PREFACE) && this.http2Preface(connection, packet)) return;
    }
    let { reason, error: answer } = classifyParseError(error.code);
    if (error.code === 'HPE_HEADER_OVERFLOW') {
      // HTTP.SYS checks the URL and each field as it parses: a request line over MaxFieldLength is a 414,
      // one header over it is FieldLength; only then does the total (MaxRequestBytes) count.
      const maxField = this.router.limits.maxFieldLength;
      if (packet && firstLineLength(packet) > maxField) {
        reason = 'URL_Length';
        answer = HttpSysErrors.UrlTooLong;
      } else if (hasLongLine(packet, maxField)) {
        reason = 'FieldLength';
      }
    } else if (error.code === 'HPE_INVALID_VERSION' && packet) {
      // A well-formed version HTTP.SYS does not serve is a 505; a version that is not `HTTP/d.d` (or a
      // method llhttp only knows from the HTTP/2 preface) is a plain parse error.
      const line = packet.subarray(0, firstLineLength(packet)).toString('latin1');
      if (line.startsWith('PRI ')) {
        reason = 'Verb';
        answer = HttpSysErrors.BadRequest;
      } else if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+ \S+ HTTP\/\d+\.\d+\r?$/.test(line)) {
        reason = 'BadRequest';
        answer = HttpSysErrors.BadRequest;
      }
    } else if (error.code === 'HPE_INVALID_CONTENT_LENGTH' && packet && /\ncontent-length:[ \t]*\d{20,}[ \t]*\r?\n/i.test(packet.toString('latin1'))) {
      // A length that does not fit in 64 bits is too large, not malformed.
      reason = 'EntityTooLarge';
      answer = HttpSysErrors.EntityTooLarge;
    }
    connection.closing = true;
    this.httpErrLog.write({
      clientIp: connection.clientIp,
      clientPort: connection.clientPort,
      serverIp: connection.localIp,
      serverPort: connection.localPort,
      statusCode: answer?.statusCode,
      reason,
    });
    const responding = connection.outgoing[0];
    if (answer && (!responding || responding.owner.responseStartedAt === 0)) socket.end(errorResponseBytes(answer));
    socket.destroy();
  }

  /** No request head arrived in full within headerWaitTimeout: dropped without an answer. */
  onHeaderWaitExpired(connection: ClientConnection): void {
    connection.closing = true;
    connection.headStartedAt = 0; // one line, even if the next sweep comes before the socket's close
    this.logConnection(connection, 'Timer_HeaderWait');
    connection.socket.destroy();
  }

  /**
   * EntityBody (no body byte for the site's connectionTimeout while httpsys was reading) or DrainEntityBody
   * (the response was done, and the rest of the body took longer than that to drain): the request, if still
   * in progress, ends and the connection is closed. HTTPERR `Timer_EntityBody`, with the request's fields.
   */
  onEntityBodyExpired(connection: ClientConnection): void {
    const request = connection.bodyRequest;
    connection.receivingBody = false;
    connection.bodyRequest = null;
    connection.closing = true;
    if (request) {
      request.entityBodyTimedOut();
      this.logHttpErr(request.head, connection, undefined, request.site, 'Timer_EntityBody', request.queue.name);
    } else {
      this.logConnection(connection, 'Timer_EntityBody');
    }
    connection.socket.destroy();
  }

  /** A keep-alive connection sat idle past connectionTimeout. */
  onIdleTimeout(connection: ClientConnection): void {
    connection.idleSince = 0;
    this.logConnection(connection, 'Timer_ConnectionIdle');
    connection.socket.destroy();
  }

  private logConnection(connection: ClientConnection, reason: string): void {
    this.httpErrLog.write({
      clientIp: connection.clientIp,
      clientPort: connection.clientPort,
      serverIp: connection.localIp,
      serverPort: connection.localPort,
      reason,
    });
  }

  /** The client's connection closed: requests still queued are dropped, dispatched ones aborted. */
  onConnectionClosed(connection: ClientConnection): void {
    connection.held.length = 0;
    if (connection.active.length === 0) return;
    const active = connection.active;
    connection.active = [];
    for (const request of active) {
      if (request.onClientGone()) this.logHttpErr(request.head, connection, undefined, request.site, 'Connection_Dropped', request.queue.name);
    }
  }

  // RequestOutcomes ------------------------------------------------------------------------------

  kernelCacheable(request: ListenerRequest, payload: Buffer, statusCode: number, headers: string[]): CacheCapture | null {
    return this.router.kernelCache.capture(request, payload, statusCode, headers);
  }

  completed(request: ListenerRequest): void {
    const connection = connectionOf(request);
    removeActive(connection, request);
    if (connection.held.length > 0) this.release(connection);
  }

  abandoned(request: ListenerRequest, reason: string): void {
    this.completed(request);
    this.logHttpErr(request.head, request.carrier, request.responseStartedAt ? undefined : 502, request.site, reason, request.queue.name);
  }

  turnedAway(request: ListenerRequest, statusCode: number | undefined, reason: string): void {
    this.completed(request);
    this.logHttpErr(request.head, request.carrier, statusCode, request.site, reason, request.queue.name);
  }

  logHttpErr(
    head: RequestHead,
    connection: RequestCarrier,
    statusCode: number | undefined,
    site: SiteRoute | null,
    reason: string,
    queueName: string | undefined,
  ): void {
    this.router.logHttpErr(head, connection, statusCode, site, reason, queueName);
  }
}

function firstLineLength(packet: Buffer): number {
  const end = packet.indexOf(10);
  return end < 0 ? packet.length : end;
}

function hasLongLine(packet: Buffer | undefined, maxLength: number): boolean {
  if (!packet) return false;
  let start = 0;
  while (start < packet.length) {
    let end = packet.indexOf(10, start);
    if (end < 0) end = packet.length;
    if (end - start > maxLength) return true;
    start = end + 1;
  }
  return false;
}

/** The HTTP/1.1 connection of a request this intake created (its carrier is always one). */
function connectionOf(request: ListenerRequest): ClientConnection {
  return request.carrier as ClientConnection;
}

function removeActive(connection: ClientConnection, request: ListenerRequest): void {
  const active = connection.active;
  if (active.length === 1 && active[0] === request) {
    active.length = 0;
    return;
  }
  const index = active.indexOf(request);
  if (index >= 0) active.splice(index, 1);
}

/**
 * `<hsts redirectHttpToHttps>`: HTTP.SYS' 301 for a site's http request — the scheme becomes https and the
 * port is dropped (the target is always 443; reference iis-2.md §1.5). The connection closes after it.
 */
function redirectToHttps(location: string): Buffer {
  const body = `<head><title>Document Moved</title></head>\n<body><h1>Object Moved</h1>This document may be found <a HREF="${location.replaceAll('"', '%22')}">here</a></body>`;
  return Buffer.from(
    'HTTP/1.1 301 Moved Permanently\r\n' +
      'Content-Type: text/html; charset=UTF-8\r\n' +
      `Location: ${location}\r\n` +
      'Server: Microsoft-HTTPAPI/2.0\r\n' +
      `Date: ${httpDate()}\r\n` +
      'Connection: close\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n` +
      body,
    'utf8',
  );
}
