// How an HTTP/2 session that the client's protocol violation ended shows itself in Node 20, and the
// HTTPERR reason httpsys writes for it.
//
// nghttp2 ends a session in two ways when the client breaks the protocol:
//  - through a callback Node turns into the session's 'error' (NghttpError, code ERR_HTTP2_ERROR with
//    nghttp2's message — "Protocol error", "Flow control error", "Received bad client magic byte string",
//    "Flooding was detected…" — or ERR_HTTP2_TOO_MANY_INVALID_FRAMES once maxSessionInvalidFrames or
//    maxSessionRejectedStreams is passed); Node then destroys the session with GOAWAY INTERNAL_ERROR;
//  - silently: for DATA on stream 0, a frame over SETTINGS_MAX_FRAME_SIZE, an HPACK block it cannot
//    decode, an unexpected CONTINUATION and the like, nghttp2 queues GOAWAY (PROTOCOL_ERROR,
//    FRAME_SIZE_ERROR, COMPRESSION_ERROR) itself and from then on wants neither to read nor to write.
//    Node sends that GOAWAY and stops reading the socket — no event, and the socket stays open (a client
//    that closes it is not even noticed) until the idle timer. nghttp2's documented signal for "drop the
//    connection" (want_read and want_write both 0) reaches JavaScript only through the session handle's
//    `hasPendingData()`, which Node itself uses for `session.close()`; httpsys asks it from its sweep.
//
// The session's 'error' is also how Node reports what was not the client's protocol violation: the
// client's own GOAWAY with an error code (ERR_HTTP2_SESSION_ERROR: the client ended its connection) and
// the socket's errors (ECONNRESET…). Neither is a cut-off; requests in flight get Connection_Dropped.
import type { ServerHttp2Session } from 'node:http2';

/** HTTPERR reason for a connection ended for a protocol violation: HTTP.SYS' parse error (see docs/http2.md). */
export const PROTOCOL_ERROR_REASON = 'BadRequest';
/** HTTPERR reason for a connection ended for a frame flood (nghttp2's guards, Node's invalid-frame bounds). */
export const FLOOD_REASON = 'Http2_Flood';

interface SessionHandle {
  hasPendingData?: () => boolean;
}

let handleSymbol: symbol | null | undefined;

function sessionHandle(session: ServerHttp2Session): SessionHandle | undefined {
  if (handleSymbol === undefined) {
    handleSymbol = Object.getOwnPropertySymbols(session).find((symbol) => symbol.description === 'kHandle') ?? null;
  }
  return handleSymbol === null ? undefined : ((session as unknown as Record<symbol, SessionHandle | undefined>)[handleSymbol]);
}

/** Whether this Node exposes the signal (checked once at startup: without it such connections end only by the idle timer). */
export function canDetectNghttp2Termination(session: ServerHttp2Session): boolean {
  return typeof sessionHandle(session)?.hasPendingData === 'function';
}

/**
 * nghttp2 has ended this session (its GOAWAY queued or sent) and wants neither to read nor to write.
 * A session httpsys or the client closed gracefully (`session.closed`) reaches the same state once its
 * streams are done; only an open one counts.
 */
export function endedByNghttp2(session: ServerHttp2Session): boolean {
  if (session.closed || session.destroyed) return false;
  const handle = sessionHandle(session);
  return handle?.hasPendingData !== undefined && !handle.hasPendingData();
}

/**
 * The HTTPERR reason for a session's 'error', or null when the error is not the client breaking the
 * protocol (its own GOAWAY with an error code, a socket error).
 */
export function sessionErrorReason(error: NodeJS.ErrnoException): string | null {
  if (error.code === 'ERR_HTTP2_TOO_MANY_INVALID_FRAMES') return FLOOD_REASON;
  if (error.code !== 'ERR_HTTP2_ERROR') return null;
  return /flood/i.test(error.message) ? FLOOD_REASON : PROTOCOL_ERROR_REASON;
}
