// The kernel response cache's store (HTTP.SYS' URI cache): entries by URL, least recently used first
// (a Map keeps insertion order; a hit moves its entry to the end), bounded by maxCacheSize with every
// entry's bytes accounted, flushed by time to live, by the scavenger (not hit for UriScavengerPeriod),
// by file change, by URL prefix (`HttpFlushResponseCache`), by request queue and by the worker that
// stored them. It only stores and finds; what may be stored and how a hit is answered are cache-lookup.ts'.
import type { Clock } from '@poolhost/common';
import type { ResponseCacheCounters, ResponseCacheEntryInfo } from '@poolhost/protocol';
import { KernelCachePolicyType } from '@poolhost/protocol';
import type { CacheEntry } from './cache-entry.js';

export interface ResponseCacheLimits {
  /** Bytes all entries may hold together. */
  maxBytes: number;
  /** An entry not hit for this long is flushed (UriScavengerPeriod), ms. */
  scavengerPeriodMs: number;
}

/** Told when entries leave, so the file watches of their files can end. */
export type EntryRemoved = (entry: CacheEntry) => void;

interface QueueHits {
  count: number;
}

export class ResponseCache {
  private readonly entries = new Map<string, CacheEntry>();
  private bytes = 0;
  // HTTP Service counters
  private totalUrisCached = 0;
  private hits = 0;
  private misses = 0;
  private flushes = 0;
  private totalFlushed = 0;
  private maxBytesUsed = 0;
  /** Cache hits per request queue (CacheHitRate): one cell per queue, which its entries count into. */
  private readonly hitsByQueue = new Map<string, QueueHits>();
  /** The entry last stored or moved to the end of the LRU order: a hit on it has nothing to move. */
  private newest: CacheEntry | null = null;

  constructor(
    public limits: ResponseCacheLimits,
    private readonly clock: Pick<Clock, 'now'>,
    private readonly removed: EntryRemoved = () => undefined,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get memoryUsage(): number {
    return this.bytes;
  }

  /**
   * The entry for `key`, if any and still alive (and not refused by `refuse`: that request may not have
   * it); a found entry becomes the most recently used. `now`: the caller's clock reading, if it has one.
   */
  lookup(key: string, refuse?: (entry: CacheEntry) => boolean, now = this.clock.now()): CacheEntry | null {
    const entry = this.entries.get(key);
    if (entry === undefined || (refuse !== undefined && refuse(entry))) {
      this.misses++;
      return null;
    }
    return this.hit(entry, now) ? entry : null;
  }

  /** A hit on a stored entry: a miss when it has outlived its time to live; else counted, and moved to the most recently used. */
  private hit(entry: CacheEntry, now: number): boolean {
    if (entry.expiresAt !== 0 && now >= entry.expiresAt) {
      this.remove(entry);
      this.misses++;
      return false;
    }
    entry.lastHitAt = now;
    entry.hitCount++;
    this.hits++;
    this.queueHits(entry.requestQueue).count++;
    // Most recently used last: delete and set moves it to the end of the Map's order (nothing to do when
    // it is there already, as it is while one URL is asked for again and again).
    if (entry !== this.newest) {
      this.entries.delete(entry.key);
      this.entries.set(entry.key, entry);
      this.newest = entry;
    }
    return true;
  }

  private queueHits(requestQueue: string): QueueHits {
    let cell = this.hitsByQueue.get(requestQueue);
    if (cell === undefined) this.hitsByQueue.set(requestQueue, (cell = { count: 0 }));
    return cell;
  }

  /** Cache hits of a request queue so far (its CacheHitRate). */
  hitsOf(requestQueue: string): number {
    return this.hitsByQueue.get(requestQueue)?.count ?? 0;
  }

  /** Whether `key` has an entry (not a lookup: nothing is counted or reordered). */
  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** Counts a request that could have been answered from the cache and was not (URI Cache Misses). */
  countMiss(): void {
    this.misses++;
  }

  /**
   * Stores an entry (replacing one with the same key), evicting the least recently used ones until it
   * fits. An entry larger than the whole cache is refused (false).
   */
  store(entry: CacheEntry): boolean {
    if (entry.bytes > this.limits.maxBytes) return false;
    const previous = this.entries.get(entry.key);
    if (previous !== undefined) this.remove(previous);
    while (this.bytes + entry.bytes > this.limits.maxBytes) {
      const oldest = this.entries.values().next().value as CacheEntry;
      this.remove(oldest);
    }
    this.entries.set(entry.key, entry);
    this.newest = entry;
    this.bytes += entry.bytes;
    if (this.bytes > this.maxBytesUsed) this.maxBytesUsed = this.bytes;
    this.totalUrisCached++;
    return true;
  }

  /** Flushes entries that outlived their time to live or were not hit for the scavenger period. */
  scavenge(): number {
    const now = this.clock.now();
    const idleBefore = now - this.limits.scavengerPeriodMs;
    let flushed = 0;
    for (const entry of this.entries.values()) {
      if ((entry.expiresAt !== 0 && now >= entry.expiresAt) || entry.lastHitAt < idleBefore) {
        this.remove(entry);
        flushed++;
      }
    }
    return flushed;
  }

  /** The cache got smaller (maxCacheSize changed): least recently used entries go until it fits. */
  resize(limits: ResponseCacheLimits): void {
    this.limits = limits;
    while (this.bytes > limits.maxBytes) this.remove(this.entries.values().next().value as CacheEntry);
  }

  /**
   * `HttpFlushResponseCache`: the entry for `url`, or with `recursive` every entry whose URL starts with
   * it; no URL: all. Case-insensitive on scheme and host as HTTP.SYS' URLs are. Returns how many went.
   */
  flushUrl(url: string | undefined, recursive: boolean): number {
    this.flushes++;
    if (url === undefined || url === '') return this.flushWhere(() => true);
    const prefix = normalizeUrl(url);
    return this.flushWhere((entry) => (recursive ? entry.key.startsWith(prefix) : entry.key === prefix));
  }

  flushFile(file: string): number {
    this.flushes++;
    return this.flushWhere((entry) => entry.file === file);
  }

  flushQueue(requestQueue: string): number {
    this.flushes++;
    return this.flushWhere((entry) => entry.requestQueue === requestQueue);
  }

  flushOwner(owner: object): number {
    this.flushes++;
    return this.flushWhere((entry) => entry.owner === owner);
  }

  flushSites(siteIds: ReadonlySet<number>): number {
    this.flushes++;
    return this.flushWhere((entry) => siteIds.has(entry.siteId));
  }

  private flushWhere(matches: (entry: CacheEntry) => boolean): number {
    let flushed = 0;
    for (const entry of this.entries.values()) {
      if (!matches(entry)) continue;
      this.remove(entry);
      flushed++;
    }
    return flushed;
  }

  private remove(entry: CacheEntry): void {
    if (this.entries.get(entry.key) !== entry) return;
    this.entries.delete(entry.key);
    if (this.newest === entry) this.newest = null;
    this.bytes -= entry.bytes;
    this.totalFlushed++;
    this.removed(entry);
  }

  /** `netsh http show cachestate [url=…]`: entries whose URL starts with `url` (all without one). */
  describe(url?: string): ResponseCacheEntryInfo[] {
    const prefix = url ? normalizeUrl(url) : '';
    const now = this.clock.now();
    const shown: ResponseCacheEntryInfo[] = [];
    for (const entry of this.entries.values()) {
      if (!entry.key.startsWith(prefix) || (entry.expiresAt !== 0 && now >= entry.expiresAt)) continue;
      shown.push({
        url: entry.key,
        statusCode: 200,
        verb: 'GET',
        policy: entry.policy === KernelCachePolicyType.TimeToLive ? 'Time to live' : 'User invalidates',
        secondsToLive: entry.secondsToLive,
        createdAt: entry.createdAt,
        requestQueue: entry.requestQueue,
        headersLength: entry.headLength + 2,
        contentLength: entry.contentLength,
        hitCount: entry.hitCount,
        file: entry.file,
      });
    }
    return shown;
  }

  counters(): Omit<ResponseCacheCounters, 'storeRefusals'> {
    return {
      currentUrisCached: this.entries.size,
      totalUrisCached: this.totalUrisCached,
      uriCacheHits: this.hits,
      uriCacheMisses: this.misses,
      uriCacheFlushes: this.flushes,
      totalFlushedUris: this.totalFlushed,
      currentMemoryUsage: this.bytes,
      maxMemoryUsage: this.maxBytesUsed,
    };
  }
}

/** Scheme and host lower-cased, as keys are made (the path keeps its case). */
export function normalizeUrl(url: string): string {
  const schemeEnd = url.indexOf('://');
  if (schemeEnd < 0) return url;
  const pathStart = url.indexOf('/', schemeEnd + 3);
  return pathStart < 0 ? url.toLowerCase() : url.slice(0, pathStart).toLowerCase() + url.slice(pathStart);
}
