// What a listener request needs from the front end that carried it in — an HTTP/1.1 connection
// (connections/) or an HTTP/2 stream (http2/) — so that queues, routing, limits, retry-on-crash,
// HTTPERR and the data plane are written once for both.
import type { HttpSysError } from '../error-responses/http-sys-errors.js';
import type { ListenerRequest } from './listener-request.js';

/** The client side a request arrived on: its addresses and the read side of its body. */
export interface RequestCarrier {
  readonly clientIp: string;
  readonly clientPort: number;
  readonly localIp: string;
  readonly localPort: number;
  /** Arrived over TLS. */
  readonly secure: boolean;
  /** The client's TLS certificate, encoded for the data plane (encodeClientCertificate); null: none. */
  readonly clientCertificate: string | null;
  /** Stops reading the request's body (a ReadBlock reason); reading resumes when no reason is left. */
  blockReading(reason: number): void;
  unblockReading(reason: number): void;
  /** An upgraded request's raw bytes go to `onData` from now on (HTTP/1.1 only). */
  startRawRelay(onData: (chunk: Buffer) => void, onEnd: () => void): void;
  stopRawRelay(onData: (chunk: Buffer) => void, onEnd: () => void): void;
  /** The request ended: the carrier stops feeding it body bytes. */
  requestEnded(request: ListenerRequest): void;
}

/** Writes a worker's response (or httpsys' own answer) to the client, in the front end's framing. */
export interface ResponseWriter {
  /** Called once by the request it writes for. */
  bind(request: ListenerRequest): void;
  /** HTTP/1.1's `100 Continue` once a worker has the request (HTTP/2 sends it as an informational HEADERS). */
  writeContinue(): void;
  /** The response head (hop-by-hop fields already stripped); `close`: the connection ends after this response. */
  writeHead(statusCode: number, reason: string, headers: string[], close: boolean): void;
  /** An upgrade's raw bytes, written as they are (HTTP/1.1 only). */
  writeRaw(payload: Buffer): void;
  /** Response body bytes; false when they are not the client's (HEAD, 204, 304) and were dropped. */
  writeBody(payload: Buffer): boolean;
  /** The response is complete; `trailers`: the application's trailer fields (null: none), sent if the framing can carry them. */
  end(trailers: string[] | null): void;
  /** httpsys answers the request itself (503, 502 …) and the connection (HTTP/1.1) or stream (HTTP/2) ends. */
  answer(error: HttpSysError): void;
  /** Ends the response abruptly: a reset connection (HTTP/1.1; `abortive`: TCP RST) or RST_STREAM (HTTP/2). */
  reset(abortive: boolean): void;
  /** The client has not taken what was written: credit waits for `drain`. */
  readonly needsDrain: boolean;
  onceDrain(listener: () => void): void;
  /** Bytes written and not yet taken by the client's transport (MinBytesPerSecond). */
  readonly backlog: number;
}
