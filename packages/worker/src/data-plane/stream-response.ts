// Node's own ServerResponse, with the three points where it would put HTTP/1.1 bytes on a socket
// redirected to frames: the head becomes RESPONSE_HEAD (status, reason, header pairs — Node's framing
// headers left out), body bytes go out without chunked framing, and the end becomes RESPONSE_END.
import { ServerResponse, type IncomingMessage } from 'node:http';
import type { OutgoingInternals } from './node-http-internals.js';
import type { WorkerStream } from './worker-stream.js';

const base = ServerResponse.prototype as unknown as OutgoingInternals;

/** `name` equals the lower-case `lower`, ignoring ASCII case (without a lower-cased copy per header). */
function equalsIgnoringCase(name: string, lower: string): boolean {
  for (let index = 0; index < lower.length; index++) {
    const code = name.charCodeAt(index);
    if ((code >= 65 && code <= 90 ? code + 32 : code) !== lower.charCodeAt(index)) return false;
  }
  return true;
}

/**
 * Connection-level headers Node writes for its own framing; httpsys frames the client response itself.
 * (`Trailer`, which announces trailer fields, is end-to-end: it goes to httpsys with the head.)
 */
function isFramingHeader(name: string): boolean {
  switch (name.length) {
    case 10:
      return equalsIgnoringCase(name, 'connection') || equalsIgnoringCase(name, 'keep-alive');
    case 17:
      return equalsIgnoringCase(name, 'transfer-encoding');
    default:
      return false;
  }
}

/** `Name: value\r\n` lines of Node's rendered head -> flat pairs, without the status line and framing headers. */
export function headerPairs(head: string): string[] {
  const pairs: string[] = [];
  let lineStart = head.indexOf('\r\n') + 2;
  const end = head.length - 2;
  while (lineStart < end) {
    const lineEnd = head.indexOf('\r\n', lineStart);
    if (lineEnd < 0) break;
    const colon = head.indexOf(':', lineStart);
    if (colon > lineStart && colon < lineEnd) {
      const name = head.slice(lineStart, colon);
      if (!isFramingHeader(name)) {
        let valueStart = colon + 1;
        if (head.charCodeAt(valueStart) === 32) valueStart++;
        pairs.push(name, head.slice(valueStart, lineEnd));
      }
    }
    lineStart = lineEnd + 2;
  }
  return pairs;
}

type StreamResponseInternals = OutgoingInternals & { stream: WorkerStream | null; statusCode: number; statusMessage: string };

/**
 * The last rendered head and its pairs: responses of one application mostly render the same head
 * (only Node's Date changes, once a second), and comparing the strings is cheaper than splitting again.
 * The pairs are only read (by FrameWriter.responseHead), so sharing them is safe.
 */
let lastHead = '';
let lastPairs: string[] = [];

function storeHeader(this: StreamResponseInternals, firstLine: string, headers: unknown): void {
  base._storeHeader.call(this, firstLine, headers);
  // Body bytes go out as frames; never chunk-encode them here.
  this.chunkedEncoding = false;
  const head = this._header!;
  if (head !== lastHead) {
    lastPairs = headerPairs(head);
    lastHead = head;
  }
  this.stream?.sendResponseHead(this.statusCode, this.statusMessage, lastPairs);
}

function send(this: OutgoingInternals, data: unknown, encoding: unknown, callback: unknown, byteLength?: number): boolean {
  // The head already went out as RESPONSE_HEAD: never prepend it to the body.
  this._headerSent = true;
  return this._writeRaw(data, encoding, callback, byteLength);
}

function finish(this: StreamResponseInternals): void {
  // `res.addTrailers()` keeps its fields as `name: value\r\n` lines, which Node writes only after a
  // last chunk: here they go to httpsys, which sends them in the client's framing (or not at all).
  const trailer = this._trailer;
  this.stream?.responseEnded(trailer ? trailerPairs(trailer) : null);
  base._finish.call(this);
}

/** `Name: value\r\n` lines -> flat pairs. */
export function trailerPairs(lines: string): string[] {
  const pairs: string[] = [];
  let lineStart = 0;
  while (lineStart < lines.length) {
    let lineEnd = lines.indexOf('\r\n', lineStart);
    if (lineEnd < 0) lineEnd = lines.length;
    const colon = lines.indexOf(':', lineStart);
    if (colon > lineStart && colon < lineEnd) {
      let valueStart = colon + 1;
      if (lines.charCodeAt(valueStart) === 32) valueStart++;
      pairs.push(lines.slice(lineStart, colon), lines.slice(valueStart, lineEnd));
    }
    lineStart = lineEnd + 2;
  }
  return pairs;
}

/**
 * The overrides are own properties, not prototype methods: Express (and others) re-parent `res` with
 * `Object.setPrototypeOf(res, app.response)`, which would silently drop methods of a subclass prototype.
 */
export class StreamResponse extends ServerResponse {
  stream: WorkerStream | null = null;

  constructor(req: IncomingMessage) {
    super(req);
    const internals = this as unknown as StreamResponseInternals;
    internals._storeHeader = storeHeader;
    internals._send = send;
    internals._finish = finish;
  }
}

/** Node's emitCloseNT: the response's 'close', once. */
export function emitResponseClose(res: StreamResponse): void {
  const internals = res as unknown as OutgoingInternals & { destroyed: boolean };
  if (internals._closed) return;
  internals.destroyed = true;
  internals._closed = true;
  res.emit('close');
}
