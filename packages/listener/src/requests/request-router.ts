// What HTTP.SYS checks and decides for every request, whichever front end (HTTP/1.1 connection or HTTP/2
// stream) carried it: MaxFieldLength, the Host (or `:authority`), the path, the site by binding, URL
// limits, the Web Service counters, maxConnections, the application by path and its pool's queue — and
// the HTTPERR line and counters of each refusal. The front end only writes the refusal in its framing.
import type { Logger } from 'pino';
import type { ListenerLimits } from '@poolhost/protocol';
import type { RoutingTable, SiteRoute } from '../routing/routing-table.js';
import type { ApplicationEntry } from '../routing/application-matcher.js';
import { hostName } from '../routing/host-header.js';
import type { RequestQueue } from '../request-queue/request-queue.js';
import type { HttpErrLog } from '../httperr-log/httperr-log.js';
import type { HttpErrRecord } from '../httperr-log/httperr-line.js';
import { HttpSysErrors, type HttpSysError } from '../error-responses/http-sys-errors.js';
import { checkUrl } from '../limits/url-limits.js';
import { verbSlot, type SiteCounters } from '../counters/listener-counters.js';
import type { RequestHead } from '../connections/client-connection.js';
import type { ListenerRequest } from './listener-request.js';
import { checkPath, parseAbsoluteTarget, validHost } from './request-checks.js';
import { isAcmeChallengeUrl, type AcmeChallengeAnswers } from '../ssl/acme-challenge-answers.js';
import { httpDate } from '../error-responses/http-date.js';
import type { KernelCache } from '../cache/kernel-cache.js';

export interface RouterState {
  routing: RoutingTable;
  limits: ListenerLimits;
  queues: Map<string, RequestQueue<ListenerRequest>>;
  /** HTTP-01 answers of automatic certificates (run directory's acme-challenge folder). */
  acmeChallenges?: AcmeChallengeAnswers;
  /** HTTP.SYS' kernel response cache (cache/kernel-cache.ts). */
  kernelCache: KernelCache;
}

/** The connection (HTTP/1.1) or session (HTTP/2) a request arrived on, as routing sees it. */
export interface RoutedConnection {
  readonly clientIp: string;
  readonly clientPort: number;
  readonly localIp: string;
  readonly localPort: number;
  readonly secure: boolean;
  /** The site whose Current Connections this connection counts in (its first routed request's). */
  countedSite: SiteCounters | null;
  /** The site of the last request routed on it (its connectionTimeout applies to the connection). */
  site: SiteRoute | null;
  /**
   * The Host of its last request that passed the checks, and the site it was bound to by which routing
   * table: a keep-alive connection's next request with the same Host skips the Host syntax check and the
   * binding lookup (null: none yet).
   */
  lastHost: HostMemo | null;
}

/** A connection's last valid Host value, and the site its binding gave under the routing table `generation` (0: not looked up yet). */
export interface HostMemo {
  host: string;
  generation: number;
  site: SiteRoute | null;
}

/** How a front end writes HTTP.SYS' own answers (`context`: its connection or stream). */
export interface RefusalWriter<C> {
  answerError(context: C, error: HttpSysError): void;
  /** `<hsts redirectHttpToHttps>`: a 301 to `location`. */
  answerRedirect(context: C, location: string): void;
  /** A whole HTTP/1.1 response httpsys has ready (an ACME HTTP-01 answer); HTTP/1.1 front end only. */
  answerRaw?(context: C, response: Buffer): void;
}

/** A routed request's destination (one object, reused: read it before routing the next request). */
export interface Route {
  site: SiteRoute;
  application: ApplicationEntry;
  queue: RequestQueue<ListenerRequest>;
}

/** `checkHead`'s answer when the request was refused. */
export const REFUSED = Symbol('refused');

export class RequestRouter {
  private readonly route: Route = { site: null!, application: null!, queue: null! };

  constructor(
    private readonly state: RouterState,
    private readonly httpErrLog: HttpErrLog,
    private readonly logger: Logger,
  ) {}

  get limits(): ListenerLimits {
    return this.state.limits;
  }

  get kernelCache(): KernelCache {
    return this.state.kernelCache;
  }

  /**
   * The head's own checks: MaxFieldLength per header, exactly one valid Host, the target (an
   * absolute-form target's authority wins over Host), the path. Returns the host (undefined: none, allowed
   * for HTTP/1.0) or REFUSED once the refusal is written.
   */
  checkHead<C>(head: RequestHead, connection: RoutedConnection, writer: RefusalWriter<C>, context: C): string | undefined | typeof REFUSED {
    const raw = head.rawHeaders;
    const maxField = this.state.limits.maxFieldLength;
    let host: string | undefined;
    let hostCount = 0;
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i]!;
      const value = raw[i + 1]!;
      if (name.length + value.length + 2 > maxField) {
        return this.refuse(head, connection, HttpSysErrors.RequestTooLong, 'FieldLength', null, writer, context);
      }
      if (name.length === 4 && (name === 'Host' || name.toLowerCase() === 'host')) {
        hostCount++;
        host ??= value;
      }
    }
    if (hostCount > 1) return this.refuse(head, connection, HttpSysErrors.InvalidHostname, 'Hostname', null, writer, context);
    if (host !== undefined && host !== connection.lastHost?.host) {
      if (!validHost(host)) return this.refuse(head, connection, HttpSysErrors.InvalidHostname, 'Hostname', null, writer, context);
      const memo = connection.lastHost;
      if (memo === null) connection.lastHost = { host, generation: 0, site: null };
      else {
        memo.host = host;
        memo.generation = 0;
        memo.site = null;
      }
    }
    let url = head.url;
    if (url.charCodeAt(0) !== 47 /* / */) {
      if (url === '*' && head.method === 'OPTIONS') {
        // OPTIONS * asks about the server itself; it is routed like `/`.
      } else {
        // absolute-form (RFC 9112 §3.2.2): the authority in the URL wins over Host.
        const target = head.httpVersionMajor === 1 ? parseAbsoluteTarget(url) : null;
        if (!target) return this.refuse(head, connection, HttpSysErrors.BadRequest, 'URL', null, writer, context);
        host = target.host;
        url = head.url = target.path;
      }
    }
    if (host === undefined && (head.httpVersionMajor > 1 || head.httpVersionMinor >= 1)) {
      return this.refuse(head, connection, HttpSysErrors.InvalidHostname, 'Hostname', null, writer, context);
    }
    if (url.length <= maxField && checkPath(url)) {
      return this.refuse(head, connection, HttpSysErrors.BadRequest, 'URL', null, writer, context);
    }
    return host;
  }

  /**
   * The site by binding and host, URL limits, the site's counters and maxConnections, the application and
   * its queue. Returns the route, or null once the refusal (or the https redirect) is written.
   */
  routeRequest<C>(head: RequestHead, host: string | undefined, connection: RoutedConnection, writer: RefusalWriter<C>, context: C): Route | null {
    const url = head.url;
    const site = this.findSite(host, connection);
    if (!site) return this.refuseNull(head, connection, HttpSysErrors.InvalidHostname, 'Hostname', null, writer, context);
    const urlVerdict = checkUrl(url, this.state.limits, site.maxUrlSegments);
    if (urlVerdict === 'URL_Length') return this.refuseNull(head, connection, HttpSysErrors.UrlTooLong, urlVerdict, site, writer, context);
    if (urlVerdict) return this.refuseNull(head, connection, HttpSysErrors.BadRequest, urlVerdict, site, writer, context);
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
    const acme = this.state.acmeChallenges;
    if (!connection.secure && acme && writer.answerRaw && isAcmeChallengeUrl(url)) {
      const answer = acme.answer(url, httpDate());
      if (answer) {
        writer.answerRaw(context, answer);
        return null;
      }
    }
    if (!site.started) return this.refuseNull(head, connection, HttpSysErrors.NotFound, 'NotFound', site, writer, context);
    if (site.redirectHttpToHttps && !connection.secure) {
      writer.answerRedirect(context, httpsLocation(host ?? connection.localIp, url));
      return null;
    }
    const application = site.applications.match(url);
    if (!application) return this.refuseNull(head, connection, HttpSysErrors.NotFound, 'NotFound', site, writer, context);
    const queue = this.state.queues.get(application.applicationPool);
    if (!queue || !queue.declared) return this.refuseNull(head, connection, HttpSysErrors.ServiceUnavailable, 'N/A', site, writer, context);
    if (newConnection && siteCounters.currentConnections > site.maxConnections) {
      // One more than maxConnections gets HTTP.SYS' 503; the refused connection stops counting at once.
      siteCounters.connectionRefused();
      connection.countedSite = null;
      return this.refuseNull(head, connection, HttpSysErrors.ServiceUnavailable, 'ConnLimit', site, writer, context);
    }
    connection.site = site;
    const route = this.route;
    route.site = site;
    route.application = application;
    route.queue = queue;
    return route;
  }

  /** The site by binding: the connection's last answer when its Host is the last one's and the routing table has not changed since. */
  private findSite(host: string | undefined, connection: RoutedConnection): SiteRoute | null {
    const routing = this.state.routing;
    const memo = connection.lastHost;
    // An absolute-form target's authority (not the Host header checkHead remembered) is looked up as given.
    if (memo === null || host !== memo.host) return routing.findSite(connection.localIp, connection.localPort, hostName(host));
    if (memo.generation !== routing.generation) {
      memo.site = routing.findSite(connection.localIp, connection.localPort, hostName(host));
      memo.generation = routing.generation;
    }
    return memo.site;
  }

  /** HTTP.SYS answers the request itself: an HTTPERR line, the site's error counters, the answer. */
  refuse<C>(
    head: RequestHead,
    connection: RoutedConnection,
    error: HttpSysError,
    reason: string,
    site: SiteRoute | null,
    writer: RefusalWriter<C>,
    context: C,
  ): typeof REFUSED {
    this.logHttpErr(head, connection, error.statusCode, site, reason, undefined);
    if (site) {
      site.counters.errors++;
      site.counters.responded(error.statusCode);
    }
    writer.answerError(context, error);
    return REFUSED;
  }

  private refuseNull<C>(
    head: RequestHead,
    connection: RoutedConnection,
    error: HttpSysError,
    reason: string,
    site: SiteRoute | null,
    writer: RefusalWriter<C>,
    context: C,
  ): null {
    this.refuse(head, connection, error, reason, site, writer, context);
    return null;
  }

  logHttpErr(
    head: RequestHead,
    connection: { readonly clientIp: string; readonly clientPort: number; readonly localIp: string; readonly localPort: number },
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
      streamId: head.streamId === 0 ? undefined : head.streamId,
    };
    this.httpErrLog.write(record);
    this.logger.debug({ reason, statusCode, url: head.url }, 'HTTPERR');
  }
}

/**
 * `<hsts redirectHttpToHttps>`: the scheme becomes https and the port is dropped (the target is always
 * 443; reference iis-2.md §1.5).
 */
function httpsLocation(host: string, url: string): string {
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d*$/, '');
  return `https://${name}${url}`;
}
