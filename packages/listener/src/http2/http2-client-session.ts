// One client's HTTP/2 connection (TLS with ALPN `h2`, or h2c with prior knowledge): its addresses, the
// site it counts in (Current Connections, maxConnections — as an HTTP/1.1 connection does), its open
// streams, and the count of streams the client cancelled, for the rapid-reset cut-off (CVE-2023-44487).
import type { ServerHttp2Session } from 'node:http2';
import type { SiteCounters } from '../counters/listener-counters.js';
import type { SiteRoute } from '../routing/routing-table.js';
import type { HostMemo, RoutedConnection } from '../requests/request-router.js';
import type { ListenerRequest, RequestOutcomes } from '../requests/listener-request.js';
import type { ConnectionAddresses } from '../ssl/tls-front.js';
import type { Socket } from 'node:net';
import type { CacheCapture } from '../cache/cache-capture.js';
import type { CacheKeyMemo } from '../cache/kernel-cache.js';

/** The rapid-reset count covers this window. */
export const STREAM_RESET_WINDOW_MS = 60_000;

export interface Http2SessionEvents {
  streamError(session: Http2ClientSession, request: ListenerRequest, error: Error): void;
  /** A request of this session ended abnormally or was turned away: its HTTPERR line. */
  requestFailed(session: Http2ClientSession, request: ListenerRequest, statusCode: number | undefined, reason: string): void;
  /** The worker flagged a response KernelCacheable: the cache's copy of it, if it takes one. */
  kernelCacheable(request: ListenerRequest, payload: Buffer, statusCode: number, headers: string[]): CacheCapture | null;
}

export class Http2ClientSession implements RoutedConnection, RequestOutcomes {
  readonly clientIp: string;
  readonly clientPort: number;
  readonly localIp: string;
  readonly localPort: number;
  countedSite: SiteCounters | null = null;
  site: SiteRoute | null = null;
  /** Requests of this connection queued or on a worker. */
  readonly active = new Set<ListenerRequest>();
  /** Streams the client cancelled within the current window. */
  private resets = 0;
  private resetWindowStart = 0;
  /** Cut off for abuse: its remaining streams are not routed. */
  cut = false;
  /** Drain: GOAWAY sent; the session closes when its streams are done. */
  goingAway = false;
  /** The highest stream id whose HEADERS reached httpsys (routed or refused). */
  lastStreamSeen = 0;
  /**
   * A header block nghttp2 has begun and httpsys has not seen complete: its stream id and since when
   * (0: none). HEADERS without END_HEADERS hold the whole connection (RFC 9113 §6.10).
   */
  headerBlockStream = 0;
  headerBlockSince = 0;
  /** Its last valid Host and the site it was bound to (request-router.ts). */
  lastHost: HostMemo | null = null;
  /** The kernel cache's key of the last request looked up on this connection (cache/kernel-cache.ts). */
  lastCacheKey: CacheKeyMemo | null = null;

  constructor(
    readonly session: ServerHttp2Session,
    /** The transport under the session (for its byte counts). */
    readonly socket: Socket,
    addresses: ConnectionAddresses,
    readonly secure: boolean,
    readonly clientCertificate: string | null,
    private readonly events: Http2SessionEvents,
  ) {
    this.clientIp = addresses.clientIp;
    this.clientPort = addresses.clientPort;
    this.localIp = addresses.localIp;
    this.localPort = addresses.localPort;
  }

  /**
   * The header timer (HTTP.SYS' HeaderWait, per stream): true when a header block has been in progress for
   * `headerWait`. nghttp2 counts a stream as processed from its first HEADERS frame (lastProcStreamID), so
   * one beyond the last stream httpsys saw is a header block still arriving.
   */
  headerBlockExpired(now: number, headerWait: number): boolean {
    const processed = this.session.state.lastProcStreamID ?? 0;
    if (processed <= this.lastStreamSeen) {
      this.headerBlockStream = 0;
      this.headerBlockSince = 0;
      return false;
    }
    if (processed !== this.headerBlockStream) {
      this.headerBlockStream = processed;
      this.headerBlockSince = now;
      return false;
    }
    return now - this.headerBlockSince >= headerWait;
  }

  /** Counts a stream the client reset before its response was complete; true once over `limit` in the window. */
  streamCancelled(now: number, limit: number): boolean {
    if (now - this.resetWindowStart >= STREAM_RESET_WINDOW_MS) {
      this.resetWindowStart = now;
      this.resets = 0;
    }
    this.resets++;
    return this.resets > limit;
  }

  streamError(request: ListenerRequest, error: Error): void {
    this.events.streamError(this, request, error);
  }

  // --- RequestOutcomes ---------------------------------------------------------------------------

  /** A response the worker offered to the kernel response cache: stored as for HTTP/1.1 (cache/kernel-cache.ts). */
  kernelCacheable(request: ListenerRequest, payload: Buffer, statusCode: number, headers: string[]): CacheCapture | null {
    return this.events.kernelCacheable(request, payload, statusCode, headers);
  }

  completed(request: ListenerRequest): void {
    this.active.delete(request);
  }

  abandoned(request: ListenerRequest, reason: string): void {
    this.active.delete(request);
    this.events.requestFailed(this, request, request.responseStartedAt ? undefined : 502, reason);
  }

  turnedAway(request: ListenerRequest, statusCode: number | undefined, reason: string): void {
    this.active.delete(request);
    this.events.requestFailed(this, request, statusCode, reason);
  }
}
