// The kernel response cache of httpsys, as `poolhost http show cachestate` and `poolhost http delete
// cache` (netsh http's verbs) ask about it, and its HTTP Service counters.
import type { KernelCacheStoreVerdict } from '../data-plane/kernel-cache-policy.js';

/** One cached response, with `netsh http show cachestate`'s fields (reference iis-2.md §2.5). */
export interface ResponseCacheEntryInfo {
  /** `http://localhost:80/iisstart.htm` */
  url: string;
  statusCode: number;
  verb: string;
  /** `User invalidates` or `Time to live`. */
  policy: string;
  /** For a TimeToLive entry. */
  secondsToLive: number;
  /** When it was stored (ms since the epoch). */
  createdAt: number;
  requestQueue: string;
  headersLength: number;
  contentLength: number;
  hitCount: number;
  /** The file whose change flushes it ('' none). */
  file: string;
}

/** any -> httpsys: the cache's entries, all or those under a URL prefix. */
export interface GetResponseCacheState {
  type: 'GetResponseCacheState';
  url?: string;
}

export interface ResponseCacheState {
  type: 'ResponseCacheState';
  entries: ResponseCacheEntryInfo[];
}

/** any -> httpsys: `HttpFlushResponseCache` — the entry for `url` (with `recursive`, every one under it), or all. */
export interface FlushResponseCache {
  type: 'FlushResponseCache';
  url?: string;
  recursive: boolean;
}

export interface ResponseCacheFlushed {
  type: 'ResponseCacheFlushed';
  flushedUris: number;
}

/** HTTP Service's cache counters (`Kernel: …` in Web Service Cache), part of ListenerCounters. */
export interface ResponseCacheCounters {
  currentUrisCached: number;
  totalUrisCached: number;
  uriCacheHits: number;
  uriCacheMisses: number;
  uriCacheFlushes: number;
  totalFlushedUris: number;
  /** Bytes held by the entries (heads, bodies and their keys). */
  currentMemoryUsage: number;
  maxMemoryUsage: number;
  /** Responses a worker offered that httpsys did not store, by reason (HTTP.SYS refuses silently). */
  storeRefusals: Partial<Record<KernelCacheStoreVerdict, number>>;
}

export interface ResponseCacheReplies {
  GetResponseCacheState: ResponseCacheState;
  FlushResponseCache: ResponseCacheFlushed;
}

export type ResponseCacheMessage = GetResponseCacheState | ResponseCacheState | FlushResponseCache | ResponseCacheFlushed;
