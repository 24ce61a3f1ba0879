// Everything between the parser and a request queue: limits, routing (site by binding, then
// application by path), and HTTP.SYS' own answers — 400/404/414/503 with its exact bodies, a dropped
// connection for TcpLevel queues, and an HTTPERR line for each.
import type { Logger } from 'pino';
import type { ListenerLimits } from '@poolhost/protocol';
import { RequestFlags } from '@poolhost/protocol';
import type { RoutingTable, SiteRoute } from '../routing/routing-table.js';
import { hostName } from '../routing/host-header.js';
import type { RequestQueue } from '../request-queue/request-queue.js';
import type { HttpErrLog } from '../httperr-log/httperr-log.js';
import type { HttpErrRecord } from '../httperr-log/httperr-line.js';
import { HttpSysErrors, errorResponseBytes, type HttpSysError } from '../error-responses/http-sys-errors.js';
import { checkUrl } from '../limits/url-limits.js';
import { httpDate } from '../error-responses/http-date.js';
import { isAcmeChallengeUrl, type AcmeChallengeAnswers } from '../ssl/acme-challenge-answers.js';
import { SiteBandwidthTable, UNLIMITED_BANDWIDTH } from '../limits/site-bandwidth.js';
import { verbSlot, type SiteCounters } from '../counters/listener-counters.js';
import { ListenerRequest, RequestState, type RequestOutcomes } from './listener-request.js';
import { ReadBlock, type ClientConnection, type ConnectionEvents, type RequestHead } from '../connections/client-connection.js';
import type { ParseError } from '../connections/http-parser.js';
import type { KernelCache } from '../cache/kernel-cache.js';
import type { CacheCapture } from '../cache/cache-capture.js';
import { bodyFraming, checkFraming, checkPath, dropContentLength, parseAbsoluteTarget, validHost, versionSupported } from './request-checks.js';

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

export interface IntakeState {
  routing: RoutingTable;
  limits: ListenerLimits;
  queues: Map<string, RequestQueue>;
  /** HTTP-01 answers of automatic certificates (run directory's acme-challenge folder). */
  acmeChallenges?: AcmeChallengeAnswers;
  kernelCache: KernelCache;
}

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

export class RequestIntake implements RequestOutcomes, ConnectionEvents {
  private readonly bandwidth: SiteBandwidthTable;

  constructor(
    private readonly state: IntakeState,
    private readonly httpErrLog: HttpErrLog,
    private readonly logger: Logger,
  ) {
    this.bandwidth = new SiteBandwidthTable(logger.child({ component: 'bandwidth' }));
  }

  onRequestHead(connection: ClientConnection, head: RequestHead): void {
    // A connection HTTP.SYS has answered with an error is closing: requests pipelined behind the bad one
    // (a smuggled request among them) are never routed.
    if (connection.closing || connection.lastRequestAccepted) return;
    if (head.upgrade && head.method === 'CONNECT') {
      // CONNECT (authority-form target): HTTP.SYS is no proxy; 400 `URL`.
      return this.reject(head, connection, HttpSysErrors.BadRequest, 'URL', null, null);
    }
    const limits = this.state.limits;
    if (!versionSupported(head.httpVersionMajor, head.httpVersionMinor)) {
      return this.reject(head, connection, HttpSysErrors.VersionNotSupported, 'Version_N/S', null, null);
    }
    // One pass over the headers: MaxFieldLength per header, and the Host header (exactly one).
    const raw = head.rawHeaders;
    const maxField = limits.maxFieldLength;
    let host: string | undefined;
    let hostCount = 0;
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i]!;
      const value = raw[i + 1]!;
      if (name.length + value.length + 2 > maxField) {
        return this.reject(head, connection, HttpSysErrors.RequestTooLong, 'FieldLength', null, null);
      }
      if (name.length === 4 && (name === 'Host' || name.toLowerCase() === 'host')) {
        hostCount++;
        host ??= value;
      }
    }
    if (hostCount > 1 || (host !== undefined && !validHost(host))) {
      return this.reject(head, connection, HttpSysErrors.InvalidHostname, 'Hostname', null, null);
    }
    let url = head.url;
    if (url.charCodeAt(0) !== 47 /* / */) {
      if (url === '*' && head.method === 'OPTIONS') {
        // OPTIONS * asks about the server itself; it is routed like `/`.
      } else {
        // absolute-form (RFC 9112 §3.2.2): the authority in the URL wins over Host.
        const target = parseAbsoluteTarget(url);
        if (!target) return this.reject(head, connection, HttpSysErrors.BadRequest, 'URL', null, null);
        host = target.host;
        url = head.url = target.path;
      }
    }
    if (host === undefined && head.httpVersionMinor >= 1) {
      return this.reject(head, connection, HttpSysErrors.InvalidHostname, 'Hostname', null, null);
    }
    if (url.length <= maxField && checkPath(url)) {
      return this.reject(head, connection, HttpSysErrors.BadRequest, 'URL', null, null);
    }
    const framing = head.upgrade ? null : bodyFraming(raw);
    const framingVerdict = framing && checkFraming(head.method, framing);
    if (framingVerdict === 'LengthRequired') return this.reject(head, connection, HttpSysErrors.LengthRequired, framingVerdict, null, null);
    if (framingVerdict) return this.reject(head, connection, HttpSysErrors.BadRequest, framingVerdict, null, null);
    const overridden = framing !== null && framing.transferEncoding !== null && framing.hasContentLength;
    const site = this.state.routing.findSite(connection.localIp, connection.localPort, hostName(host));
    if (!site) return this.reject(head, connection, HttpSysErrors.InvalidHostname, 'Hostname', null, null);
    const urlVerdict = checkUrl(url, limits, site.maxUrlSegments);
    if (urlVerdict === 'URL_Length') return this.reject(head, connection, HttpSysErrors.UrlTooLong, urlVerdict, site, null);
    if (urlVerdict) return this.reject(head, connection, HttpSysErrors.BadRequest, urlVerdict, site, null);
    const siteCounters = site.counters;
    siteCounters.requests++;
    siteCounters.requestsByVerb[verbSlot(head.method)]!++;
    // Current Connections and limits maxConnections: a connection counts against the site of its first
    // routed request (HTTP.SYS' URL group connection limit) until it closes.
    const newConnection = connection.countedSite === null;
    if (newConnection) {
      connection.countedSite = siteCounters;
      siteCounters.connectionOpened();
    }
    if (!connection.secure && this.state.acmeChallenges && isAcmeChallengeUrl(url)) {
      const answer = this.state.acmeChallenges.answer(url, httpDate());
      if (answer) return connection.answerLast(answer);
    }
    if (!site.started) return this.reject(head, connection, HttpSysErrors.NotFound, 'NotFound', site, null);
    if (site.redirectHttpToHttps && !connection.secure) return connection.answerLast(redirectToHttps(host ?? connection.localIp, url));
    const application = site.applications.match(url);
    if (!application) return this.reject(head, connection, HttpSysErrors.NotFound, 'NotFound', site, null);
    const queue = this.state.queues.get(application.applicationPool);
    if (!queue || !queue.declared) return this.reject(head, connection, HttpSysErrors.ServiceUnavailable, 'N/A', site, null);
    if (newConnection && siteCounters.currentConnections > site.maxConnections) {
      // One more than maxConnections gets HTTP.SYS' 503; the refused connection stops counting at once.
      siteCounters.connectionRefused();
      connection.countedSite = null;
      return this.reject(head, connection, HttpSysErrors.ServiceUnavailable, 'ConnLimit', site, null);
    }
    connection.site = site;
    // The kernel response cache answers a hit here, before the queue (cache/kernel-cache.ts).
    if (framing !== null && !framing.hasBody && this.state.kernelCache.serve(head, connection, site, queue, host)) return;

    if (overridden) {
      dropContentLength(raw);
      head.keepAlive = false;
      connection.lastRequestAccepted = true;
    }
    let flags = framing === null ? RequestFlags.Upgrade : 0;
    if (framing?.hasBody) flags |= RequestFlags.HasBody;
    if (framing?.expectContinue) flags |= RequestFlags.ExpectContinue;
    if (head.keepAlive) flags |= RequestFlags.KeepAlive;
    const request = new ListenerRequest(head, connection, site, application, queue, flags, this);
    if (site.maxBandwidth < UNLIMITED_BANDWIDTH) request.throttle = this.bandwidth.forSite(site.siteId, site.maxBandwidth);
    if (flags & RequestFlags.HasBody) connection.startBody(request);
    // Queued once the packet carrying it has parsed without error (ClientConnection.packetParsed).
    connection.accepted(request);
  }

  submitParsed(request: ListenerRequest): void {
    this.enqueue(request, request.site.counters);
  }

  private enqueue(request: ListenerRequest, siteCounters: SiteCounters): void {
    const connection = request.connection;
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
      if (request.socket.destroyed) {
        connection.held.length = 0;
        break;
      }
      this.submit(request, siteCounters);
    }
    if (connection.held.length === 0) connection.unblockReading(ReadBlock.Pipeline);
  }

  private submit(request: ListenerRequest, siteCounters: SiteCounters): void {
    const { connection, site, queue } = request;
    const rejection = queue.submit(request);
    if (rejection) {
      request.state = RequestState.Done;
      this.logHttpErr(request.head, connection, queue.settings.loadBalancerCapabilities === 'TcpLevel' ? undefined : 503, site, rejection, queue.name);
      siteCounters.errors++;
      connection.closing = true;
      if (queue.settings.loadBalancerCapabilities === 'TcpLevel') connection.socket.destroy();
      else request.answer(HttpSysErrors.ServiceUnavailable);
      return;
    }
    if (request.state !== RequestState.Done) connection.active.push(request);
  }

  /** HTTP.SYS answers the request itself and closes the connection. */
  private reject(
    head: RequestHead,
    connection: ClientConnection,
    error: HttpSysError,
    reason: string,
    site: SiteRoute | null,
    queueName: string | null,
  ): void {
    this.logHttpErr(head, connection, error.statusCode, site, reason, queueName ?? undefined);
    if (site) {
      site.counters.errors++;
      site.counters.responded(error.statusCode);
    }
    connection.answerLast(errorResponseBytes(error));
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
    let { reason, error: answer } = classifyParseError(error.code);
    if (error.code === 'HPE_HEADER_OVERFLOW') {
      // HTTP.SYS checks the URL and each field as it parses: a request line over MaxFieldLength is a 414,
      // one header over it is FieldLength; only then does the total (MaxRequestBytes) count.
      const maxField = this.state.limits.maxFieldLength;
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
    if (answer && (!responding || responding.responseStartedAt === 0)) socket.end(errorResponseBytes(answer));
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
    return this.state.kernelCache.capture(request, payload, statusCode, headers);
  }

  completed(request: ListenerRequest): void {
    removeActive(request);
    if (request.connection.held.length > 0) this.release(request.connection);
  }

  abandoned(request: ListenerRequest, reason: string): void {
    removeActive(request);
    if (request.connection.held.length > 0) this.release(request.connection);
    this.logHttpErr(request.head, request.connection, request.responseStartedAt ? undefined : 502, request.site, reason, request.queue.name);
  }

  /** A waiting request outlived the site's connectionTimeout: the connection is dropped (Timer_AppPool). */
  expired(request: ListenerRequest): void {
    request.state = RequestState.Done;
    removeActive(request);
    this.logHttpErr(request.head, request.connection, undefined, request.site, 'Timer_AppPool', request.queue.name);
    request.socket.destroy();
  }

  logHttpErr(
    head: RequestHead,
    connection: ClientConnection,
    statusCode: number | undefined,
    site: SiteRoute | null,
    reason: string,
    queueName: string | undefined,
  ): void {
    const record: HttpErrRecord = {
      clientIp: connection.clientIp,
      clientPort: connection.clientPort,
      serverIp: connection.localIp,
      serverPort: connection.localPort,
      protocolVersion: `HTTP/${head.httpVersionMajor}.${head.httpVersionMinor}`,
      method: head.method,
      uri: head.url,
      statusCode,
      siteId: site?.siteId,
      reason,
      queueName,
    };
    this.httpErrLog.write(record);
    this.logger.debug({ reason, statusCode, url: head.url }, 'HTTPERR');
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

function removeActive(request: ListenerRequest): void {
  const active = request.connection.active;
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
function redirectToHttps(host: string, url: string): Buffer {
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d*$/, '');
  const location = `https://${name}${url}`;
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
