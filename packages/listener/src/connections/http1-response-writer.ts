// HTTP/1.1's response writer: frames a worker's response for the client (Content-Length as given, else
// chunked, else close), in the connection's request order — a pipelined request's response is kept until
// those before it are out — and joins the worker packet's output batch, so a response whose head, body
// and end arrived together leaves in one write.
import { RequestFlags } from '@poolhost/protocol';
import type { ClientConnection } from './client-connection.js';
import type { ListenerRequest } from '../requests/listener-request.js';
import type { ResponseWriter } from '../requests/request-front.js';
import type { OutputBatch } from '../data-plane/output-batch.js';
import { errorResponseBytes, type HttpSysError } from '../error-responses/http-sys-errors.js';
import { httpDate } from '../error-responses/http-date.js';

/** Output up to this size is joined into one buffer: one `write` instead of a `writev` of pieces. */
const JOIN_OUTPUT_LIMIT = 16 * 1024;
const CONTINUE = Buffer.from('HTTP/1.1 100 Continue\r\n\r\n', 'latin1');
const LAST_CHUNK = Buffer.from('0\r\n\r\n', 'latin1');
const CRLF = Buffer.from('\r\n', 'latin1');

export class Http1ResponseWriter implements ResponseWriter {
  private request!: ListenerRequest;
  private chunked = false;
  /** HEAD, 204, 304: whatever body the worker sends is not the client's. */
  private bodyless = false;
  /** The connection ends after this response. */
  private closeAfter = false;
  private responseComplete = false;
  private output: (Buffer | string)[] | null = null;
  private outputBytes = 0;
  private flushScheduled = false;

  constructor(
    private readonly connection: ClientConnection,
    private readonly batch: OutputBatch,
  ) {}

  bind(request: ListenerRequest): void {
    this.request = request;
  }

  /** The request this writer writes for (the connection's line of responses holds writers). */
  get owner(): ListenerRequest {
    return this.request;
  }

  get needsDrain(): boolean {
    return this.connection.socket.writableNeedDrain;
  }

  onceDrain(listener: () => void): void {
    this.connection.socket.once('drain', listener);
  }

  get backlog(): number {
    return this.connection.socket.writableLength;
  }

  writeContinue(): void {
    this.write(CONTINUE);
  }

  writeHead(statusCode: number, reason: string, headers: string[], close: boolean): void {
    const request = this.request;
    if (close) this.closeAfter = true;
    const head = request.head;
    let text = `HTTP/1.1 ${statusCode} ${reason}\r\n`;
    let hasLength = false;
    let hasDate = false;
    for (let i = 0; i < headers.length; i += 2) {
      const name = headers[i]!;
      text += `${name}: ${headers[i + 1]!}\r\n`;
      if (name.length === 14) hasLength ||= name.toLowerCase() === 'content-length';
      else if (name.length === 4) hasDate ||= name.toLowerCase() === 'date';
    }
    if (!hasDate) text += `Date: ${httpDate()}\r\n`;
    const hsts = request.site.strictTransportSecurity;
    if (hsts !== null && this.connection.secure) text += `Strict-Transport-Security: ${hsts}\r\n`;
    if (request.flags & RequestFlags.Upgrade) {
      // The application did not take the upgrade: an ordinary response, then the connection closes.
      this.closeAfter = true;
    } else {
      this.bodyless = head.method === 'HEAD' || statusCode === 204 || statusCode === 304 || statusCode < 200;
      if (!this.bodyless && !hasLength) {
        if (head.httpVersionMinor >= 1) {
          text += 'Transfer-Encoding: chunked\r\n';
          this.chunked = true;
        } else {
          this.closeAfter = true; // an HTTP/1.0 body without a length ends with the connection
        }
      }
      if (!head.keepAlive || this.connection.closing) this.closeAfter = true;
      else if (this.connection.drainRequested && this.connection.outgoing[this.connection.outgoing.length - 1] === this) {
        // Drain: the last response in line closes the connection; a request the client sends after it is not taken.
        this.closeAfter = true;
        this.connection.lastRequestAccepted = true;
      }
    }
    if (this.closeAfter) text += 'Connection: close\r\n\r\n';
    else if (head.httpVersionMinor === 0) text += 'Connection: keep-alive\r\n\r\n';
    else text += '\r\n';
    this.write(text);
  }

  writeRaw(payload: Buffer): void {
    this.write(payload);
  }

  writeBody(payload: Buffer): boolean {
    if (this.bodyless) return false;
    if (this.chunked) {
      this.write(`${payload.length.toString(16)}\r\n`);
      this.write(payload);
      this.write(CRLF);
    } else {
      this.write(payload);
    }
    return true;
  }

  end(trailers: string[] | null): void {
    if (this.request.flags & RequestFlags.Upgrade) this.closeAfter = true;
    else if (this.chunked) this.write(trailers === null ? LAST_CHUNK : lastChunkWith(trailers));
    this.responseComplete = true;
    this.scheduleFlush();
  }

  answer(error: HttpSysError): void {
    this.closeAfter = true;
    this.responseComplete = true;
    this.output = null;
    this.outputBytes = 0;
    this.write(errorResponseBytes(error));
  }

  reset(abortive: boolean): void {
    const socket = this.connection.socket;
    // A plain close would queue the FIN behind the megabytes still in the send buffer, which a slow
    // client would take minutes to reach: a reset ends the connection now. (A TLS socket cannot be
    // reset: Node refuses resetAndDestroy on anything but a TCP handle.)
    if (abortive && !this.connection.secure && typeof socket.resetAndDestroy === 'function' && !socket.destroyed) socket.resetAndDestroy();
    else socket.destroy();
  }

  private write(data: Buffer | string): void {
    (this.output ??= []).push(data);
    this.outputBytes += data.length;
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    if (this.connection.outgoing[0] !== this) return; // written when the responses before it are out
    if (this.batch.join(this)) this.flushScheduled = true;
    else this.flushOutput();
  }

  /** Writes what the response has produced so far (called when it is first in line on its connection). */
  flushOutput(): void {
    this.flushScheduled = false;
    const socket = this.connection.socket;
    const output = this.output;
    if (output && !socket.destroyed) {
      this.output = null;
      if (output.length === 1) {
        const only = output[0]!;
        if (typeof only === 'string') socket.write(only, 'latin1');
        else socket.write(only);
      } else if (this.outputBytes <= JOIN_OUTPUT_LIMIT) {
        socket.write(joinOutput(output, this.outputBytes));
      } else {
        socket.cork();
        for (const piece of output) {
          if (typeof piece === 'string') socket.write(piece, 'latin1');
          else socket.write(piece);
        }
        socket.uncork();
      }
      this.outputBytes = 0;
    }
    if (this.responseComplete) {
      this.responseComplete = false;
      this.connection.responseWritten(this, this.closeAfter);
      return;
    }
    this.request.outputFlushed();
  }
}

/**
 * The last chunk with a trailer section (RFC 9112 §7.1.2). Only a chunked response can carry one: with a
 * Content-Length (or none on HTTP/1.0) the fields are dropped, as Node's own server drops them.
 */
function lastChunkWith(trailers: string[]): string {
  let text = '0\r\n';
  for (let i = 0; i < trailers.length; i += 2) text += `${trailers[i]!}: ${trailers[i + 1]!}\r\n`;
  return text + '\r\n';
}

function joinOutput(output: (Buffer | string)[], bytes: number): Buffer {
  const joined = Buffer.allocUnsafe(bytes);
  let offset = 0;
  for (const piece of output) {
    if (typeof piece === 'string') offset += joined.latin1Write(piece, offset);
    else {
      piece.copy(joined, offset);
      offset += piece.length;
    }
  }
  return joined;
}
