// The data plane between httpsys and one w3wp: one Unix-socket connection, many streams (one per request).
// Every frame is a 10-byte header — payload length (u32 LE), type (u8), flags (u8), stream id (u32 LE) —
// followed by the payload. Stream 0 is the connection itself (ATTACH, ATTACHED, REJECTED, DETACH).

export const FRAME_HEADER_SIZE = 10;

export const FrameType = {
  /** worker -> httpsys, stream 0, once: pool name, pid, capacity, worker id. */
  Attach: 1,
  /** httpsys -> worker, stream 0: the worker is attached to its pool's request queue. */
  Attached: 2,
  /** httpsys -> worker, stream 0: attach refused (reason string); httpsys closes the connection. */
  Rejected: 3,
  /** httpsys -> worker: a new stream (request line, headers, addresses, site, application). */
  RequestHead: 4,
  /** httpsys -> worker: request entity bytes (counted against the worker's receive window). */
  RequestBody: 5,
  /** httpsys -> worker: the request body is complete (for upgraded streams: the client half-closed). */
  RequestEnd: 6,
  /** worker -> httpsys: status, reason phrase, headers. */
  ResponseHead: 7,
  /** worker -> httpsys: response entity bytes (counted against httpsys' receive window). */
  ResponseBody: 8,
  /** worker -> httpsys: the response is complete; the stream is over (for upgraded streams: the worker ended). */
  ResponseEnd: 9,
  /** either way: the stream is over, abnormally (u16 reason code). */
  Abort: 10,
  /** either way: per-stream flow-control credit (u32 bytes). */
  WindowUpdate: 11,
  /** either way: raw bytes of an upgrade request's connection (both directions, after the request head). */
  UpgradeData: 12,
  /** worker -> httpsys, stream 0: stop dispatching to me, I'm draining; httpsys echoes it once no new stream can follow. */
  Detach: 13,
  /**
   * either way: a message's trailer fields (u16 pair count, pairs as in a head), sent just before its end —
   * httpsys -> worker before RequestEnd (an HTTP/1.1 chunked body's trailer section, an HTTP/2 request's
   * trailing HEADERS), worker -> httpsys before ResponseEnd (`res.addTrailers()`).
   */
  Trailers: 14,
  /**
   * httpsys -> worker, on a stream that is over: what became of a response offered to the kernel cache with
   * KernelCacheFlags.ReportStore (a traced request): `OK` (stored) or the reason it was refused, UTF-8
   * (kernel-cache-policy.ts' KernelCacheStoreVerdict). For FREB's HTTPSYS_CACHEABLE event.
   */
  CacheStoreVerdict: 15,
} as const;
export type FrameType = (typeof FrameType)[keyof typeof FrameType];

export const frameTypeNames: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(FrameType).map(([name, value]) => [value, name]),
);

/** Flags of a RequestHead frame (the header's flags byte). */
export const RequestFlags = {
  HasBody: 1,
  Upgrade: 2,
  KeepAlive: 4,
  ExpectContinue: 8,
  /** The connection is TLS and the client presented a certificate: a ClientCertificate block follows the header pairs. */
  ClientCertificate: 16,
} as const;

/** Flags of a RESPONSE_HEAD frame (the header's flags byte). */
export const ResponseFlags = {
  /** httpsys closes the client connection after this response (IIS does after 413.1: the rest of the body is not read). */
  CloseConnection: 1,
  /** httpsys may keep this response in its kernel response cache: a KernelCachePolicy block follows the header pairs. */
  KernelCacheable: 2,
} as const;

/** Flags of an ATTACH frame (header flags byte). */
export const AttachFlags = {
  /** A standby worker: httpsys keeps it out of dispatch until a worker of its pool is lost (poolhost's standbyWorker). */
  Standby: 1,
} as const;

/** Reason codes carried by Abort frames. */
export const AbortReason = {
  /** The client closed its connection. */
  ClientGone: 1,
  /** The worker's application failed the request after the response had started. */
  ApplicationError: 2,
  /** A timer expired (e.g. Timer_MinBytesPerSecond, shutdownTimeLimit). */
  Timeout: 3,
  /** The worker is shutting down and cuts its long-lived streams. */
  ShuttingDown: 4,
  /** The peer broke the framing rules for this stream. */
  ProtocolError: 5,
} as const;
export type AbortReason = (typeof AbortReason)[keyof typeof AbortReason];

/** Each stream starts with this much credit in each direction (body and upgrade bytes only). */
export const INITIAL_STREAM_WINDOW = 256 * 1024;
/** Receivers return credit in batches of at least this many bytes (or when a stream ends). */
export const WINDOW_UPDATE_THRESHOLD = 64 * 1024;
/** Body frames are cut at this size so one stream cannot hold the connection for long. */
export const MAX_DATA_FRAME_PAYLOAD = 64 * 1024;
/** A decoder refuses larger frames (heads may legitimately reach maxRequestBytes, at most 16 MiB). */
export const MAX_FRAME_PAYLOAD = 17 * 1024 * 1024;
