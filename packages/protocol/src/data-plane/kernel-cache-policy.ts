// The kernel cache block of a RESPONSE_HEAD (ResponseFlags.KernelCacheable): the worker's pipeline says
// httpsys may keep this response in its response cache, and how long — HTTP.SYS's HTTP_CACHE_POLICY
// (reference iis-2.md §2.4). It follows the header pairs:
//   u8 policy (1 UserInvalidates, 2 TimeToLive), u32 secondsToLive, u8 KernelCacheFlags,
//   u16 + UTF-8 file (the file whose change, rename or deletion flushes the entry; '' none).
import './buffer-methods.js';

export const KernelCachePolicyType = {
  /** `HttpCachePolicyUserInvalidates`: kept until flushed (file change, config change, recycle, scavenger). */
  UserInvalidates: 1,
  /** `HttpCachePolicyTimeToLive`: also flushed `secondsToLive` after it was stored (CacheForTimePeriod). */
  TimeToLive: 2,
} as const;
export type KernelCachePolicyType = (typeof KernelCachePolicyType)[keyof typeof KernelCachePolicyType];

export const KernelCacheFlags = {
  /** httpLogging writes a W3C line for this URL's 200s: httpsys writes one for every hit. */
  LogHits: 1,
  /**
   * The response was not compressed because the request did not ask for it, and a client that does would
   * get it compressed: httpsys answers it only to requests without a compressing Accept-Encoding.
   */
  IdentityOnly: 2,
  /** The response is the file itself (static file handler): its Last-Modified is the file's mtime. */
  StaticFile: 4,
  /**
   * The request is traced (FREB): httpsys answers with exactly one CacheStoreVerdict frame once it stored or
   * refused the response — also when the request had ended before the head arrived (REQUEST_ENDED).
   */
  ReportStore: 8,
} as const;

/**
 * What httpsys did with an offered response: `OK` (stored), or why not, in IIS's words
 * (IISCacheEvents::HTTPSYS_CACHEABLE::enumReason, reference iis-2.md §2.3) where it has them and in
 * poolhost's own where HTTP.SYS refuses silently.
 */
export type KernelCacheStoreVerdict =
  | 'OK'
  /** The kernel cache is off (the httpSys element's uriEnableCache="false"). */
  | 'HTTPSYS_CACHE_DISABLED'
  | 'HTTP_STATUS_NOT_OK'
  | 'VERB_NOT_GET'
  | 'STATIC_REQUEST_QUERYSTRING'
  /** No Content-Length, chunked, empty, over UriMaxUriBytes, or a body longer or shorter than announced, or trailers. */
  | 'RESPONSE_MORE_DATA'
  /** The file cannot be watched (gone, or inotify refused the watch: its instance or watch limit), so nothing would flush the entry. */
  | 'NO_CACHE_INVALIDATOR'
  /** The file's modification time is no longer the response's Last-Modified: it changed after the worker read it. */
  | 'FILE_CHANGED'
  /** The URL has an entry already (a pipelined request, or one that asked for compression): it stands. */
  | 'ALREADY_CACHED'
  /** The worker detached (recycle) or its queue was disabled before the response ended: its entries were flushed. */
  | 'WORKER_DETACHED'
  | 'QUEUE_DISABLED'
  /** The response was aborted (client gone, worker failed) before it was complete. */
  | 'RESPONSE_ABORTED'
  /**
   * httpsys had ended the request (client gone, a timer cut it) before the response head reached it: the
   * head and what follows go nowhere. Answered so that a worker waiting for the verdict stops waiting.
   */
  | 'REQUEST_ENDED'
  /** The entry is larger than the whole cache (maxCacheSize). */
  | 'CACHE_FULL';

export interface KernelCachePolicy {
  policy: KernelCachePolicyType;
  secondsToLive: number;
  flags: number;
  /** Absolute path watched for the entry ('' when none). */
  file: string;
}

export function kernelCachePolicySize(policy: KernelCachePolicy): number {
  return 1 + 4 + 1 + 2 + Buffer.byteLength(policy.file);
}

/** Writes the block at `at`; returns the offset after it. */
export function writeKernelCachePolicy(slab: Buffer, at: number, policy: KernelCachePolicy): number {
  slab[at] = policy.policy;
  slab.writeUInt32LE(policy.secondsToLive >>> 0, at + 1);
  slab[at + 5] = policy.flags;
  const length = Buffer.byteLength(policy.file);
  slab.writeUInt16LE(length, at + 6);
  slab.utf8Write(policy.file, at + 8, length);
  return at + 8 + length;
}

/** Where the block of a RESPONSE_HEAD payload flagged KernelCacheable starts (after status, reason and header pairs). */
function kernelCachePolicyOffset(payload: Buffer): number {
  let at = 4 + payload.readUInt16LE(2);
  const pairs = payload.readUInt16LE(at);
  at += 2;
  for (let i = 0; i < pairs; i++) {
    at += 2 + payload.readUInt16LE(at);
    at += 4 + payload.readUInt32LE(at);
  }
  return at;
}

/** The block of a RESPONSE_HEAD payload flagged KernelCacheable. */
export function decodeKernelCachePolicy(payload: Buffer): KernelCachePolicy {
  const at = kernelCachePolicyOffset(payload);
  const length = payload.readUInt16LE(at + 6);
  return {
    policy: payload[at] as KernelCachePolicyType,
    secondsToLive: payload.readUInt32LE(at + 1),
    flags: payload[at + 5]!,
    file: payload.utf8Slice(at + 8, at + 8 + length),
  };
}

/** The block's KernelCacheFlags alone, allocating nothing (an offer httpsys refuses before it copies anything). */
export function decodeKernelCacheFlags(payload: Buffer): number {
  return payload[kernelCachePolicyOffset(payload) + 5]!;
}

/** A CacheStoreVerdict frame's payload. */
export function decodeCacheStoreVerdict(payload: Buffer): KernelCacheStoreVerdict {
  return payload.latin1Slice(0, payload.length) as KernelCacheStoreVerdict;
}
