// One response in the kernel response cache: the bytes an HTTP/1.1 hit writes (status line, headers, a
// Date stamped per hit, body — one buffer, one write), the header fields an HTTP/2 hit sends (HEADERS,
// then the same body as DATA), and what `netsh http show cachestate` shows of it.
import type { OutgoingHttpHeaders } from 'node:http2';
import type { KernelCachePolicyType } from '@poolhost/protocol';

/** `Date: ` plus an IMF-fixdate (`Wed, 02 Dec 2026 02:48:30 GMT`): 29 characters, always. */
export const DATE_VALUE_LENGTH = 29;
/** Bytes counted for an entry beyond its buffers (object, map slot, strings): the accounting's overhead. */
export const ENTRY_OVERHEAD_BYTES = 256;

export interface CacheEntry {
  /** `http://localhost:80/iisstart.htm`, as HTTP.SYS keys and shows it. */
  readonly key: string;
  readonly siteId: number;
  readonly requestQueue: string;
  /** Who stored it (the worker connection): its entries are flushed when it detaches or dies. */
  readonly owner: object;
  readonly policy: KernelCachePolicyType;
  readonly secondsToLive: number;
  /** ms since the epoch; 0: no time to live. */
  readonly expiresAt: number;
  readonly createdAt: number;
  lastHitAt: number;
  hitCount: number;
  /** Head (through the Date line, without the blank line) + CRLF + body. */
  readonly response: Buffer;
  /** Where the 29 characters of the Date value start in `response` and `notModified`. */
  readonly dateOffset: number;
  /** Length of the head in `response` (through the Date line). */
  readonly headLength: number;
  /** The 304 for a matching If-None-Match / If-Modified-Since (head only, ends with the blank line). */
  readonly notModified: Buffer;
  /** The 200's fields for an HTTP/2 hit: lower-case names, no Date (stamped per hit), no connection-specific fields. */
  readonly fields: OutgoingHttpHeaders;
  /** The 304's fields for an HTTP/2 hit. */
  readonly notModifiedFields: OutgoingHttpHeaders;
  readonly notModifiedDateOffset: number;
  /**
   * The Date value `response` and `notModified` carry now ("": none yet): a hit stamps the buffer only
   * when the second has changed since (HTTP.SYS formats its Date once a second, too).
   */
  responseDate: string;
  notModifiedDate: string;
  readonly etag: string | null;
  /** Last-Modified as ms since the epoch (NaN: none). */
  readonly lastModified: number;
  readonly contentLength: number;
  /** The file whose change flushes it ('' none). */
  readonly file: string;
  /** Write a W3C line for each hit (httpLogging allows this URL's 200s). */
  readonly logHits: boolean;
  /** Only for requests without a compressing Accept-Encoding (KernelCacheFlags.IdentityOnly). */
  readonly identityOnly: boolean;
  /** Bytes the entry holds, counted against maxCacheSize. */
  readonly bytes: number;
}

/** Headers a 304 repeats from the 200 it stands for (RFC 9110 §15.4.5). */
const NOT_MODIFIED_HEADERS = new Set(['etag', 'last-modified', 'cache-control', 'expires', 'vary', 'content-location']);
/** Fields HTTP/2 forbids (RFC 9113 §8.2.2): an HTTP/2 hit leaves them out. */
const CONNECTION_SPECIFIC = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);

function addField(fields: OutgoingHttpHeaders, name: string, value: string): void {
  const existing = fields[name];
  if (existing === undefined) fields[name] = value;
  else fields[name] = Array.isArray(existing) ? [...existing, value] : [String(existing), value];
}

export interface EntryResponse {
  statusLine: string;
  /** Flat [name, value, …] as httpsys writes them (hop-by-hop stripped). */
  headers: string[];
  /** Strict-Transport-Security value to add (the site's hsts on an https entry), null: none. */
  strictTransportSecurity: string | null;
  body: Buffer;
}

/** The bytes of a cached 200 and of its 304, each with a Date placeholder to stamp per hit. */
export function buildEntryBytes(response: EntryResponse): {
  response: Buffer;
  headLength: number;
  dateOffset: number;
  notModified: Buffer;
  notModifiedDateOffset: number;
  responseDate: string;
  notModifiedDate: string;
  fields: OutgoingHttpHeaders;
  notModifiedFields: OutgoingHttpHeaders;
  etag: string | null;
  lastModified: number;
} {
  let head = response.statusLine;
  let notModified = 'HTTP/1.1 304 Not Modified\r\n';
  let etag: string | null = null;
  let lastModified = Number.NaN;
  const fields: OutgoingHttpHeaders = Object.create(null) as OutgoingHttpHeaders;
  const notModifiedFields: OutgoingHttpHeaders = Object.create(null) as OutgoingHttpHeaders;
  const headers = response.headers;
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i]!;
    const value = headers[i + 1]!;
    const lower = name.toLowerCase();
    if (lower === 'date') continue; // stamped per hit
    head += `${name}: ${value}\r\n`;
    if (!CONNECTION_SPECIFIC.has(lower)) addField(fields, lower, value);
    if (NOT_MODIFIED_HEADERS.has(lower)) {
      notModified += `${name}: ${value}\r\n`;
      addField(notModifiedFields, lower, value);
    }
    if (lower === 'etag') etag = value;
    else if (lower === 'last-modified') lastModified = Date.parse(value);
  }
  if (response.strictTransportSecurity !== null) {
    head += `Strict-Transport-Security: ${response.strictTransportSecurity}\r\n`;
    fields['strict-transport-security'] = response.strictTransportSecurity;
  }
  const placeholder = 'x'.repeat(DATE_VALUE_LENGTH);
  const dateOffset = Buffer.byteLength(head, 'latin1') + 6;
  head += `Date: ${placeholder}\r\n`;
  const notModifiedDateOffset = Buffer.byteLength(notModified, 'latin1') + 6;
  notModified += `Date: ${placeholder}\r\n\r\n`;
  const headLength = Buffer.byteLength(head, 'latin1');
  const bytes = Buffer.allocUnsafe(headLength + 2 + response.body.length);
  bytes.latin1Write(head, 0);
  bytes[headLength] = 13;
  bytes[headLength + 1] = 10;
  response.body.copy(bytes, headLength + 2);
  return {
    response: bytes,
    headLength,
    dateOffset,
    notModified: Buffer.from(notModified, 'latin1'),
    notModifiedDateOffset,
    responseDate: '',
    notModifiedDate: '',
    fields,
    notModifiedFields,
    etag,
    lastModified,
  };
}
