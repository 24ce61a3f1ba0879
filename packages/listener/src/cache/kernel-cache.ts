// HTTP.SYS' kernel response cache in httpsys. Two hooks into the request's life, nothing else:
//   serve()   — intake, after routing (site by binding, application, queue, connection limit) and
//               before the request is queued: a hit is answered here, with no message to any worker
//               (serveStream() does the same for an HTTP/2 stream, from the same entries);
//   capture() — a worker's RESPONSE_HEAD flagged KernelCacheable: the response is copied as it passes
//               and stored once complete.
// Only whole, anonymous 200s to GET without a query string are offered (the worker's HttpCacheModule
// decides: iis-2.md §2.3) and only such requests are looked up. A hit honours If-None-Match and
// If-Modified-Since (304), is counted (HTTP Service, Web Service, the queue's CacheHitRate) and logged.
import { statSync } from 'node:fs';
import type { Logger } from 'pino';
import { systemClock } from '@poolhost/common';
import {
  decodeKernelCacheFlags,
  decodeKernelCachePolicy,
  KernelCacheFlags,
  KernelCachePolicyType,
  type ListenerLimits,
  type KernelCacheStoreVerdict,
  type ResponseCacheCounters,
  type ResponseCacheEntryInfo,
  type UrlGroup,
} from '@poolhost/protocol';
import { constants, type OutgoingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import type { ClientConnection, RequestHead } from '../connections/client-connection.js';
import type { Http2ClientSession } from '../http2/http2-client-session.js';
import type { SiteRoute } from '../routing/routing-table.js';
import type { RequestQueue } from '../request-queue/request-queue.js';
import type { ListenerRequest, RequestWorker } from '../requests/listener-request.js';
import { hostName } from '../routing/host-header.js';
import { UNLIMITED_BANDWIDTH } from '../limits/site-bandwidth.js';
import { httpDate } from '../error-responses/http-date.js';
import { ResponseCache } from './response-cache.js';
import { buildEntryBytes, DATE_VALUE_LENGTH, ENTRY_OVERHEAD_BYTES, type CacheEntry } from './cache-entry.js';
import { CacheCapture, type CaptureStore } from './cache-capture.js';
import { FileWatches } from './file-watches.js';
import { HitLog } from './hit-log.js';

/** maxCacheSize 0 ("auto"): what httpsys gives the cache. */
export const AUTO_MAX_CACHE_BYTES = 256 * 1024 * 1024;
const COMPRESSING_ENCODING = /gzip|deflate|br/i;
/** A client asking for compression is not given an entry a worker would have compressed for it. */
const refuseIdentityOnly = (entry: CacheEntry): boolean => entry.identityOnly;
const CONNECTION_CLOSE = Buffer.from('Connection: close\r\n\r\n', 'latin1');
const CONNECTION_KEEP_ALIVE = Buffer.from('Connection: keep-alive\r\n\r\n', 'latin1');

export class KernelCache implements CaptureStore {
  readonly store: ResponseCache;
  private readonly watches: FileWatches;
  private readonly hitLog: HitLog;
  private enabled = true;
  private maxUriBytes = 262_144;
  /** siteId -> the URL group it was routed with, to flush a site whose configuration changed. */
  private urlGroups = new Map<number, string>();
  private lastScavenge = 0;
  /** The conditional headers of the request lookup() last found an entry for (read by isNotModified() right after). */
  private ifNoneMatch: string | undefined;
  private ifModifiedSince: string | undefined;
  /** Offered responses not stored, by reason (poolhost_kernel_cache_refusals_total); a refusal is off the hit path. */
  private readonly refusals: Partial<Record<KernelCacheStoreVerdict, number>> = {};
  /** Host limits (inotify) already warned about. */
  private readonly limitsWarned = new Set<string>();

  constructor(private readonly logger: Logger) {
    this.watches = new FileWatches((file) => {
      const flushed = this.store.flushFile(file);
      this.logger.debug({ file, flushed }, `kernel cache: ${file} changed, ${flushed} flushed`);
    });
    this.store = new ResponseCache({ maxBytes: AUTO_MAX_CACHE_BYTES, scavengerPeriodMs: 120_000 }, systemClock, (entry) => {
      if (entry.file !== '') this.watches.release(entry.file);
    });
    this.hitLog = new HitLog(logger.child({ component: 'cache-log' }));
  }

  // --- configuration -----------------------------------------------------------------------------

  configure(limits: ListenerLimits): void {
    this.enabled = limits.uriEnableCache ?? true;
    this.maxUriBytes = limits.uriMaxUriBytes ?? 262_144;
    this.store.resize({
      maxBytes: limits.maxCacheSize > 0 ? limits.maxCacheSize * 1024 * 1024 : AUTO_MAX_CACHE_BYTES,
      scavengerPeriodMs: (limits.uriScavengerPeriod ?? 120) * 1000,
    });
    if (!this.enabled) this.store.flushUrl(undefined, true);
  }

  /** A new routing table: entries of sites whose bindings, applications, state or limits changed are flushed. */
  applyUrlGroups(urlGroups: readonly UrlGroup[]): void {
    const changed = new Set<number>();
    const next = new Map<number, string>();
    for (const group of urlGroups) {
      const settings = JSON.stringify(group);
      next.set(group.siteId, settings);
      if (this.urlGroups.get(group.siteId) !== settings) changed.add(group.siteId);
    }
    for (const siteId of this.urlGroups.keys()) if (!next.has(siteId)) changed.add(siteId);
    this.urlGroups = next;
    if (changed.size > 0 && this.store.size > 0) this.flushed(this.store.flushSites(changed), `the configuration of site(s) ${[...changed].join(', ')} changed`);
    this.hitLog.apply(urlGroups);
  }

  /** A pool stopped, was disabled by rapid-fail or is recycling: its queue's entries go. */
  queueDisabled(queue: string): void {
    if (this.store.size > 0) this.flushed(this.store.flushQueue(queue), `request queue ${queue} disabled`);
  }

  /** A worker detached (recycle, idle shutdown) or died: what it stored goes with it. */
  workerGone(worker: object): void {
    if (this.store.size > 0) this.flushed(this.store.flushOwner(worker), 'their worker detached or died');
  }

  /** A debug line for each flush that took entries (a file change has its own). */
  private flushed(count: number, cause: string): void {
    if (count > 0) this.logger.debug({ flushed: count }, `kernel cache: ${count} entr${count === 1 ? 'y' : 'ies'} flushed: ${cause}`);
  }

  /** Called by httpsys' timer sweep: time to live and UriScavengerPeriod. */
  scavenge(now: number): void {
    if (this.store.size === 0 || now - this.lastScavenge < 1_000) return;
    this.lastScavenge = now;
    this.store.scavenge();
  }

  flush(url: string | undefined, recursive: boolean): number {
    return this.store.flushUrl(url, recursive);
  }

  describe(url?: string): ResponseCacheEntryInfo[] {
    return this.store.describe(url);
  }

  counters(): ResponseCacheCounters {
    return { ...this.store.counters(), storeRefusals: { ...this.refusals } };
  }

  close(): Promise<void> {
    this.watches.closeAll();
    return this.hitLog.drained();
  }

  // --- serve: intake's hook ------------------------------------------------------------------------

  /**
   * Answers the request from the cache when it may be (returns true) — a GET without query string or
   * body, with nothing a cached whole response cannot answer (Authorization, Range, If-Range,
   * If-Match, If-Unmodified-Since, Translate: f, Expect), to an enabled queue, on a connection with no
   * earlier response still owed (responses leave in order) and no backlog, for a site without a
   * bandwidth limit.
   */
  serve(head: RequestHead, connection: ClientConnection, site: SiteRoute, queue: RequestQueue<ListenerRequest>, host: string | undefined): boolean {
    // A client that has not taken what was written already is served through the queue, whose
    // pipelining bounds hold its requests back instead of buffering hit after hit here.
    if (connection.outgoing.length !== 0 || connection.socket.writableNeedDrain || site.maxBandwidth < UNLIMITED_BANDWIDTH) return false;
    // One clock reading per hit: the Date header, time to live, the W3C line and the connection's idle time.
    const now = Date.now();
    const entry = this.lookup(head, connection, queue, host, now);
    if (entry === null) return false;
    const notModified = this.isNotModified(entry);
    const date = httpDate(now);
    let bytes: Buffer;
    if (notModified) {
      bytes = entry.notModified;
      if (entry.notModifiedDate !== date) {
        bytes.latin1Write(date, entry.notModifiedDateOffset, DATE_VALUE_LENGTH);
        entry.notModifiedDate = date;
      }
    } else {
      bytes = entry.response;
      if (entry.responseDate !== date) {
        bytes.latin1Write(date, entry.dateOffset, DATE_VALUE_LENGTH);
        entry.responseDate = date;
      }
    }
    const close = !head.keepAlive || connection.closing || connection.drainRequested;
    if (close || head.httpVersionMinor === 0) {
      // The rare forms get their own buffer: the Connection header goes before the blank line.
      const headEnd = notModified ? bytes.length - 2 : entry.headLength;
      bytes = Buffer.concat([bytes.subarray(0, headEnd), close ? CONNECTION_CLOSE : CONNECTION_KEEP_ALIVE, bytes.subarray(headEnd + 2)]);
    }
    if (entry.logHits) this.hitLog.log(site.siteId, head, connection, notModified ? 304 : 200, bytes.length, now);
    connection.site = site;
    if (close) {
      connection.answerLast(bytes);
    } else {
      connection.socket.write(bytes);
      connection.idleSince = now;
    }
    return true;
  }

  /**
   * The same for a request that arrived as an HTTP/2 stream: a hit is the entry's fields as HEADERS (a
   * Date stamped now) and its body as DATA, on the stream, with no worker involved. The entry is the
   * one HTTP/1.1 requests for the URL use: whichever protocol stored it, both are answered from it.
   */
  serveStream(head: RequestHead, client: Http2ClientSession, stream: ServerHttp2Stream, site: SiteRoute, queue: RequestQueue<ListenerRequest>, host: string | undefined): boolean {
    if (site.maxBandwidth < UNLIMITED_BANDWIDTH) return false;
    const now = Date.now();
    const entry = this.lookup(head, client, queue, host, now);
    if (entry === null) return false;
    const notModified = this.isNotModified(entry);
    const fields: OutgoingHttpHeaders = Object.assign(Object.create(null) as OutgoingHttpHeaders, notModified ? entry.notModifiedFields : entry.fields);
    fields[constants.HTTP2_HEADER_STATUS] = notModified ? 304 : 200;
    fields.date = httpDate(now);
    // sc-bytes as the HTTP/1.1 answer would count them: HPACK makes the wire size depend on the connection.
    if (entry.logHits) this.hitLog.log(site.siteId, head, client, notModified ? 304 : 200, notModified ? entry.notModified.length : entry.response.length, now);
    if (stream.destroyed) return true;
    if (notModified) {
      stream.respond(fields, { endStream: true });
    } else {
      stream.respond(fields);
      stream.end(entry.response.subarray(entry.headLength + 2));
    }
    return true;
  }

  /**
   * The entry that answers this request, or null (a miss, or a request the cache does not answer).
   * Whether the answer is the entry's 304 is isNotModified()'s to say, from the conditional headers this
   * pass over the request's headers noted.
   */
  private lookup(head: RequestHead, carrier: CacheKeyCarrier, queue: RequestQueue<ListenerRequest>, host: string | undefined, now: number): CacheEntry | null {
    if (!this.enabled || head.method !== 'GET' || head.url.includes('?') || !queue.enabled) return null;
    const store = this.store;
    if (store.size === 0) {
      store.countMiss();
      return null;
    }
    const raw = head.rawHeaders;
    let asksCompression = false;
    let ifNoneMatch: string | undefined;
    let ifModifiedSince: string | undefined;
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i]!;
      const first = name.charCodeAt(0) | 0x20;
      if (first !== 97 /* a */ && first !== 114 /* r */ && first !== 105 /* i */ && first !== 116 /* t */ && first !== 101 /* e */) continue;
      switch (name.toLowerCase()) {
        case 'authorization':
        case 'range':
        case 'if-range':
        case 'if-match':
        case 'if-unmodified-since':
        case 'expect':
          return null;
        case 'translate':
          if (raw[i + 1]!.trim().toLowerCase() === 'f') return null;
          break;
        case 'accept-encoding':
          asksCompression ||= COMPRESSING_ENCODING.test(raw[i + 1]!);
          break;
        case 'if-none-match':
          ifNoneMatch = raw[i + 1];
          break;
        case 'if-modified-since':
          ifModifiedSince = raw[i + 1];
          break;
      }
    }
    this.ifNoneMatch = ifNoneMatch;
    this.ifModifiedSince = ifModifiedSince;
    // A keep-alive connection asking for the URL of its previous request reuses that request's key (and
    // its hash), instead of building the same string again.
    const url = head.url;
    let memo = carrier.lastCacheKey;
    if (memo === null || memo.url !== url || memo.host !== host) {
      const key = cacheKey(carrier, host, url);
      if (memo === null) carrier.lastCacheKey = memo = { host, url, key };
      else {
        memo.host = host;
        memo.url = url;
        memo.key = key;
      }
    }
    return store.lookup(memo.key, asksCompression ? refuseIdentityOnly : undefined, now);
  }

  /** RFC 9110 §13.2.2: If-None-Match (weak comparison) wins over If-Modified-Since. Whether a hit is answered with the entry's 304. */
  private isNotModified(entry: CacheEntry): boolean {
    const ifNoneMatch = this.ifNoneMatch;
    if (ifNoneMatch !== undefined) {
      if (entry.etag === null) return false;
      if (ifNoneMatch.trim() === '*') return true;
      const tag = weak(entry.etag);
      return ifNoneMatch.split(',').some((candidate) => weak(candidate.trim()) === tag);
    }
    const ifModifiedSince = this.ifModifiedSince;
    if (ifModifiedSince === undefined || Number.isNaN(entry.lastModified)) return false;
    const since = Date.parse(ifModifiedSince);
    return !Number.isNaN(since) && entry.lastModified <= since;
  }

  // --- capture: the response hook --------------------------------------------------------------------

  /**
   * A RESPONSE_HEAD flagged KernelCacheable: a copy is taken when the response can be a cache entry —
   * a 200 with a Content-Length of 1 to UriMaxUriBytes bytes, to a GET without query string.
   */
  capture(request: ListenerRequest, payload: Buffer, statusCode: number, headers: string[]): CacheCapture | null {
    const head = request.head;
    if (!this.enabled) return this.refuseOffer(request, payload, 'HTTPSYS_CACHE_DISABLED');
    if (statusCode !== 200) return this.refuseOffer(request, payload, 'HTTP_STATUS_NOT_OK');
    if (head.method !== 'GET') return this.refuseOffer(request, payload, 'VERB_NOT_GET');
    if (head.url.includes('?')) return this.refuseOffer(request, payload, 'STATIC_REQUEST_QUERYSTRING');
    let contentLength = -1;
    let host: string | undefined;
    for (let i = 0; i < headers.length; i += 2) {
      const name = headers[i]!;
      if (name.length === 14 && name.toLowerCase() === 'content-length') contentLength = Number(headers[i + 1]);
      else if (name.length === 17 && name.toLowerCase() === 'transfer-encoding') return this.refuseOffer(request, payload, 'RESPONSE_MORE_DATA', 'Transfer-Encoding');
    }
    if (!(contentLength > 0 && contentLength <= this.maxUriBytes && Number.isInteger(contentLength))) {
      return this.refuseOffer(request, payload, 'RESPONSE_MORE_DATA', contentLength > this.maxUriBytes ? `Content-Length ${contentLength} over UriMaxUriBytes ${this.maxUriBytes}` : `Content-Length ${contentLength}`);
    }
    const raw = head.rawHeaders;
    for (let i = 0; i < raw.length; i += 2) {
      if (raw[i]!.length === 4 && raw[i]!.toLowerCase() === 'host') {
        host = raw[i + 1];
        break;
      }
    }
    const key = cacheKey(request.carrier, host, head.url);
    // Already cached (this request went to the worker because it was pipelined, or asked for compression):
    // the entry stands until something flushes it, so no copy is taken.
    if (this.store.has(key)) return this.refuseOffer(request, payload, 'ALREADY_CACHED');
    const policy = decodeKernelCachePolicy(payload);
    return new CacheCapture(this, request, key, policy, headers, Buffer.allocUnsafe(contentLength));
  }

  /** An offer refused before its copy is taken: only its policy block's flags are read (no allocation). */
  private refuseOffer(request: ListenerRequest, payload: Buffer, reason: KernelCacheStoreVerdict, detail?: string): null {
    this.refuseCapture(request, decodeKernelCacheFlags(payload), reason, detail);
    return null;
  }

  /**
   * HTTP.SYS refuses silently; httpsys counts each refusal by reason, logs it at debug, and tells the
   * worker when it asked (ReportStore: a traced request), for FREB's HTTPSYS_CACHEABLE event.
   */
  refuseCapture(request: ListenerRequest, flags: number, reason: KernelCacheStoreVerdict, detail?: string): void {
    this.refusals[reason] = (this.refusals[reason] ?? 0) + 1;
    if (this.logger.isLevelEnabled('debug')) {
      this.logger.debug({ url: request.head.url, reason, detail }, `kernel cache: ${request.head.url} not stored: ${reason}${detail === undefined ? '' : ` (${detail})`}`);
    }
    if (flags & KernelCacheFlags.ReportStore) request.dispatchedTo?.writer.cacheStoreVerdict(request.streamId, reason);
  }

  /**
   * A RESPONSE_HEAD flagged KernelCacheable on a stream httpsys has already ended (the client went away, or
   * a timer cut the request, while the worker was answering): nothing of it reaches the client or the cache.
   * Counted as REQUEST_ENDED, and told to a worker that asked (ReportStore), which would otherwise wait for
   * a verdict that never comes.
   */
  refuseLateOffer(worker: Pick<RequestWorker, 'writer'>, streamId: number, payload: Buffer): void {
    const reason: KernelCacheStoreVerdict = 'REQUEST_ENDED';
    this.refusals[reason] = (this.refusals[reason] ?? 0) + 1;
    if (this.logger.isLevelEnabled('debug')) this.logger.debug({ streamId, reason }, `kernel cache: the response of ended stream ${streamId} not stored: ${reason}`);
    if (decodeKernelCacheFlags(payload) & KernelCacheFlags.ReportStore) worker.writer.cacheStoreVerdict(streamId, reason);
  }

  storeCaptured(capture: CacheCapture): void {
    const { request, policy } = capture;
    const worker = request.dispatchedTo;
    // A worker that has detached (recycling) or a disabled queue: its entries were just flushed.
    if (worker === null || worker.detached) return this.refuseCapture(request, policy.flags, 'WORKER_DETACHED');
    if (!request.queue.enabled) return this.refuseCapture(request, policy.flags, 'QUEUE_DISABLED');
    let lastModifiedHeader: string | undefined;
    for (let i = 0; i < capture.headers.length; i += 2) {
      if (capture.headers[i]!.toLowerCase() === 'last-modified') lastModifiedHeader = capture.headers[i + 1];
    }
    if (policy.file !== '') {
      const changed = fileChange(policy.file, policy.flags & KernelCacheFlags.StaticFile ? lastModifiedHeader : undefined);
      if (changed !== null) return this.refuseCapture(request, policy.flags, changed.reason, changed.detail);
    }
    const site = request.site;
    const built = buildEntryBytes({
      statusLine: 'HTTP/1.1 200 OK\r\n',
      headers: capture.headers,
      strictTransportSecurity: request.carrier.secure ? site.strictTransportSecurity : null,
      body: capture.body,
    });
    const now = Date.now();
    const entry: CacheEntry = {
      key: capture.key,
      siteId: site.siteId,
      requestQueue: request.queue.name,
      owner: worker,
      policy: policy.policy,
      secondsToLive: policy.secondsToLive,
      expiresAt: policy.policy === KernelCachePolicyType.TimeToLive ? now + policy.secondsToLive * 1000 : 0,
      createdAt: now,
      lastHitAt: now,
      hitCount: 0,
      response: built.response,
      dateOffset: built.dateOffset,
      headLength: built.headLength,
      notModified: built.notModified,
      notModifiedDateOffset: built.notModifiedDateOffset,
      responseDate: '',
      notModifiedDate: '',
      fields: built.fields,
      notModifiedFields: built.notModifiedFields,
      etag: built.etag,
      lastModified: built.lastModified,
      contentLength: capture.body.length,
      file: policy.file,
      logHits: (policy.flags & KernelCacheFlags.LogHits) !== 0,
      identityOnly: (policy.flags & KernelCacheFlags.IdentityOnly) !== 0,
      bytes: built.response.length + built.notModified.length + 2 * capture.key.length + 2 * policy.file.length + ENTRY_OVERHEAD_BYTES,
    };
    if (entry.file !== '') {
      const unwatchable = this.watches.acquire(entry.file);
      if (unwatchable !== null) {
        // A host limit keeps every file out of the cache until it is raised: said once, as a warning.
        if (unwatchable.limit && !this.limitsWarned.has(unwatchable.reason)) {
          this.limitsWarned.add(unwatchable.reason);
          this.logger.warn({ file: entry.file }, `kernel cache: ${unwatchable.reason}; no file is cached until it is raised (sysctl) or what holds it ends, since nothing would flush it when it changes (FREB: NO_CACHE_INVALIDATOR)`);
        }
        return this.refuseCapture(request, policy.flags, 'NO_CACHE_INVALIDATOR', `${entry.file}: ${unwatchable.reason}`);
      }
    }
    if (!this.store.store(entry)) {
      if (entry.file !== '') this.watches.release(entry.file);
      return this.refuseCapture(request, policy.flags, 'CACHE_FULL', `${entry.bytes} bytes, the cache holds ${this.store.limits.maxBytes}`);
    }
    if (policy.flags & KernelCacheFlags.ReportStore) worker.writer.cacheStoreVerdict(request.streamId, 'OK');
  }
}

/** What the key takes of the connection a request arrived on. */
export interface CacheKeyAddresses {
  readonly secure: boolean;
  readonly localIp: string;
  readonly localPort: number;
}

/** A connection as lookup() sees it: its addresses and its last cache key. */
export interface CacheKeyCarrier extends CacheKeyAddresses {
  /** The cache key of this connection's last request looked up, with the Host and URL it was built from (null: none yet). */
  lastCacheKey: CacheKeyMemo | null;
}

/** A connection's last cache key, and the request's Host and URL as received. */
export interface CacheKeyMemo {
  host: string | undefined;
  url: string;
  key: string;
}

/** `http://host:port/path` as HTTP.SYS keys its cache: scheme, Host without port (lower-cased), local port, URL. */
export function cacheKey(connection: CacheKeyAddresses, host: string | undefined, url: string): string {
  return `${connection.secure ? 'https' : 'http'}://${hostName(host) || connection.localIp}:${connection.localPort}${url}`;
}

const weak = (tag: string): string => (tag.startsWith('W/') ? tag.slice(2) : tag);

/**
 * The worker read the file before httpsys watches it: a change in between would be cached until the
 * next one. A static file is stored only when the file still has the Last-Modified the response
 * carries; any other response only when the file still exists. Null: unchanged.
 */
function fileChange(file: string, lastModified: string | undefined): { reason: KernelCacheStoreVerdict; detail: string } | null {
  let mtimeMs: number;
  try {
    mtimeMs = statSync(file).mtimeMs;
  } catch (error) {
    return { reason: 'NO_CACHE_INVALIDATOR', detail: `${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}` };
  }
  if (lastModified === undefined || Math.floor(mtimeMs / 1000) === Math.floor(Date.parse(lastModified) / 1000)) return null;
  return { reason: 'FILE_CHANGED', detail: `${file} modified ${new Date(mtimeMs).toUTCString()}, the response says Last-Modified ${lastModified}` };
}
