// The few Node 20 `_http_outgoing` / `_http_incoming` internals the data plane relies on, named once.
// StreamResponse overrides `_storeHeader`, `_send` and `_finish` exactly where Node's own server
// hands bytes to a socket (see lib/_http_outgoing.js); the rest of ServerResponse runs unchanged.
import { OutgoingMessage, type IncomingMessage } from 'node:http';

export interface OutgoingInternals {
  _header: string | null;
  _headerSent: boolean;
  _hasBody: boolean;
  chunkedEncoding: boolean;
  shouldKeepAlive: boolean;
  useChunkedEncodingByDefault: boolean;
  _storeHeader(firstLine: string, headers: unknown): void;
  _send(data: unknown, encoding: unknown, callback: unknown, byteLength?: number): boolean;
  _writeRaw(data: unknown, encoding: unknown, callback: unknown, byteLength?: number): boolean;
  _finish(): void;
  _closed: boolean;
  /** `addTrailers()`'s fields as `name: value\r\n` lines ('' when none). */
  _trailer: string;
}

export interface IncomingInternals {
  _consuming: boolean;
  _dumped: boolean;
  _dump(): void;
  _addHeaderLines(headers: string[], count: number): void;
  _readableState: { resumeScheduled: boolean };
  complete: boolean;
  upgrade: boolean;
}

export function incomingInternals(req: IncomingMessage): IncomingInternals {
  return req as unknown as IncomingInternals;
}

/** `kNeedDrain`: set when `write()` returned false; our 'drain' must clear it like Node's socketOnDrain does. */
export const kNeedDrain: symbol = (() => {
  const probe = new OutgoingMessage();
  const symbol = Object.getOwnPropertySymbols(probe).find((candidate) => candidate.description === 'kNeedDrain');
  if (!symbol) throw new Error('this Node.js version has no kNeedDrain on OutgoingMessage; the worker data plane needs Node 20+');
  return symbol;
})();
