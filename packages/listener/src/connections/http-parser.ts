// llhttp, the parser inside Node, driven directly. Node's `http.Server` wraps every request in an
// IncomingMessage and a ServerResponse, stream machinery httpsys only copies into frames; on this machine
// that wrapping was half of httpsys' CPU per request (docs/performance.md). The parser object is Node's
// own (`_http_common`): it reads the socket in C++ (`consume`) and calls back into JavaScript with the
// request line, raw headers, body chunks and parse errors — the same parser, flags and error codes the
// HTTP.SYS checks were written against.
import { createRequire } from 'node:module';

export interface LlhttpParser {
  initialize(type: number, resource: object, maxHeaderSize: number, lenientFlags: number): void;
  consume(handle: unknown): void;
  execute(data: Buffer): number | Error;
  unconsume(): void;
  finish(): Error | undefined;
  getCurrentBuffer(): Buffer;
  /** False from a message's first byte until llhttp has its whole head (and on a parser that has parsed nothing yet). */
  headersCompleted(): boolean;
  remove(): void;
  free(): void;
  close(): void;
  [callback: number]: unknown;
}

interface LlhttpParserClass {
  new (): LlhttpParser;
  REQUEST: number;
  kOnMessageBegin: number;
  kOnHeaders: number;
  kOnHeadersComplete: number;
  kOnBody: number;
  kOnMessageComplete: number;
  kOnExecute: number;
  kLenientNone: number;
  /** Transfer-Encoding: chunked together with Content-Length: chunked framing, no error. */
  kLenientChunkedLength: number;
}

const require = createRequire(import.meta.url);
export const HTTPParser = (require('_http_common') as { HTTPParser: LlhttpParserClass }).HTTPParser;

/**
 * llhttp's method numbers (`llhttp_method_t`, HTTP and RTSP in one enum). `_http_common.methods` lists only
 * the HTTP ones and so is not indexable by number past SOURCE (33).
 */
export const METHODS: readonly string[] = [
  'DELETE', 'GET', 'HEAD', 'POST', 'PUT', 'CONNECT', 'OPTIONS', 'TRACE', 'COPY', 'LOCK', 'MKCOL', 'MOVE',
  'PROPFIND', 'PROPPATCH', 'SEARCH', 'UNLOCK', 'BIND', 'REBIND', 'UNBIND', 'ACL', 'REPORT', 'MKACTIVITY',
  'CHECKOUT', 'MERGE', 'M-SEARCH', 'NOTIFY', 'SUBSCRIBE', 'UNSUBSCRIBE', 'PATCH', 'PURGE', 'MKCALENDAR',
  'LINK', 'UNLINK', 'SOURCE', 'PRI', 'DESCRIBE', 'ANNOUNCE', 'SETUP', 'PLAY', 'PAUSE', 'TEARDOWN',
  'GET_PARAMETER', 'SET_PARAMETER', 'REDIRECT', 'RECORD', 'FLUSH', 'QUERY',
];

/** A parse failure as Node reports it: llhttp's code (`HPE_…`) and the packet being parsed. */
export type ParseError = Error & { code?: string; rawPacket?: Buffer };
