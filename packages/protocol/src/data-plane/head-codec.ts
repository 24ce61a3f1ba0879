// Decoding of the structured payloads (heads, attach, abort, window updates). Encoding lives in FrameWriter.
import './buffer-methods.js';

export interface RequestHead {
  siteId: number;
  method: string;
  url: string;
  httpVersionMajor: number;
  httpVersionMinor: number;
  /** Flat `[name, value, name, value, …]`, as Node's `rawHeaders`. */
  rawHeaders: string[];
  clientIp: string;
  clientPort: number;
  localIp: string;
  localPort: number;
  /** The application path httpsys routed the request to (`/` or `/a/b`). */
  applicationPath: string;
  /** The TLS client certificate (RequestFlags.ClientCertificate). */
  clientCertificate?: ClientCertificateInfo;
}

/** A client certificate as httpsys verified it against the binding's CA bundle (sslctlfile=). */
export interface ClientCertificateInfo {
  /** trusted; untrusted (no chain to the CA bundle, or invalid); expired (or not yet valid). */
  status: 'trusted' | 'untrusted' | 'expired';
  /** OpenSSL's verification error (`CERT_HAS_EXPIRED`, `UNABLE_TO_VERIFY_LEAF_SIGNATURE` …), '' when trusted. */
  verifyError: string;
  /** Upper-case hex. */
  serialNumber: string;
  /** `CN=…, O=…` (one line). */
  subject: string;
  issuer: string;
  validFrom: string;
  validTo: string;
  /** SHA-1, `AB:CD:…` as Node prints it. */
  fingerprint: string;
  /** DER, base64. */
  raw: string;
}

const CLIENT_CERTIFICATE_FIELDS = ['status', 'verifyError', 'serialNumber', 'subject', 'issuer', 'validFrom', 'validTo', 'fingerprint', 'raw'] as const;

/** The ClientCertificate block: its fields joined by newlines (none contains one), UTF-8. */
export function encodeClientCertificate(info: ClientCertificateInfo): string {
  return CLIENT_CERTIFICATE_FIELDS.map((field) => info[field]).join('\n');
}

function decodeClientCertificate(text: string): ClientCertificateInfo {
  const values = text.split('\n');
  const info = {} as Record<string, string>;
  CLIENT_CERTIFICATE_FIELDS.forEach((field, index) => (info[field] = values[index] ?? ''));
  return info as unknown as ClientCertificateInfo;
}

export interface ResponseHead {
  statusCode: number;
  reason: string;
  /** Flat `[name, value, …]`. */
  headers: string[];
}

export interface AttachRequest {
  pid: number;
  capacity: number;
  applicationPool: string;
  workerId: string;
}

/**
 * The string last decoded at one place of a head. Consecutive heads mostly repeat them (method,
 * addresses, application path, header names, Host, User-Agent …): comparing a short string's bytes
 * here is cheaper than the native slice call, and the reused string is one allocation less.
 */
class RecentString {
  value = '';
}

/** Longer strings are always sliced: comparing them costs about what slicing does. */
const RECENT_MAX = 64;

function decodeLatin1(payload: Buffer, start: number, end: number, recent: RecentString): string {
  const length = end - start;
  if (length > RECENT_MAX) return payload.latin1Slice(start, end);
  const value = recent.value;
  if (value.length === length) {
    let index = 0;
    while (index < length && value.charCodeAt(index) === payload[start + index]) index++;
    if (index === length) return value;
  }
  return (recent.value = payload.latin1Slice(start, end));
}

/** As decodeLatin1, for UTF-8 text: a remembered string is reused only while it is plain ASCII. */
function decodeUtf8(payload: Buffer, start: number, end: number, recent: RecentString): string {
  const length = end - start;
  if (length > RECENT_MAX) return payload.utf8Slice(start, end);
  const value = recent.value;
  if (value.length === length) {
    let index = 0;
    while (index < length && value.charCodeAt(index) === payload[start + index] && payload[start + index]! < 0x80) index++;
    if (index === length) return value;
  }
  return (recent.value = payload.utf8Slice(start, end));
}

const recentMethod = new RecentString();
const recentClientIp = new RecentString();
const recentLocalIp = new RecentString();
const recentApplicationPath = new RecentString();
const recentUrl = new RecentString();
const recentReason = new RecentString();
/** Per header position: names and values, for the first RECENT_PAIRS pairs of a head. */
const RECENT_PAIRS = 32;
const recentNames = Array.from({ length: RECENT_PAIRS }, () => new RecentString());
const recentValues = Array.from({ length: RECENT_PAIRS }, () => new RecentString());

function readHeaderPairs(payload: Buffer, at: number, into: string[]): number {
  const pairs = payload.readUInt16LE(at);
  at += 2;
  for (let i = 0; i < pairs; i++) {
    const nameLength = payload.readUInt16LE(at);
    at += 2;
    const nameEnd = at + nameLength;
    into.push(i < RECENT_PAIRS ? decodeLatin1(payload, at, nameEnd, recentNames[i]!) : payload.latin1Slice(at, nameEnd));
    at = nameEnd;
    const valueLength = payload.readUInt32LE(at);
    at += 4;
    const valueEnd = at + valueLength;
    into.push(i < RECENT_PAIRS ? decodeLatin1(payload, at, valueEnd, recentValues[i]!) : payload.latin1Slice(at, valueEnd));
    at = valueEnd;
  }
  return at;
}

export function decodeRequestHead(payload: Buffer, flags = 0): RequestHead {
  const siteId = payload.readUInt32LE(0);
  const httpVersionMajor = payload[4]!;
  const httpVersionMinor = payload[5]!;
  const clientPort = payload.readUInt16LE(6);
  const localPort = payload.readUInt16LE(8);
  let at = 10;
  let length = payload[at++]!;
  const method = decodeLatin1(payload, at, at + length, recentMethod);
  at += length;
  length = payload[at++]!;
  const clientIp = decodeLatin1(payload, at, at + length, recentClientIp);
  at += length;
  length = payload[at++]!;
  const localIp = decodeLatin1(payload, at, at + length, recentLocalIp);
  at += length;
  length = payload.readUInt16LE(at);
  at += 2;
  const applicationPath = decodeUtf8(payload, at, at + length, recentApplicationPath);
  at += length;
  length = payload.readUInt32LE(at);
  at += 4;
  const url = decodeLatin1(payload, at, at + length, recentUrl);
  at += length;
  const rawHeaders: string[] = [];
  at = readHeaderPairs(payload, at, rawHeaders);
  const head: RequestHead = { siteId, method, url, httpVersionMajor, httpVersionMinor, rawHeaders, clientIp, clientPort, localIp, localPort, applicationPath };
  if (flags & 16 /* RequestFlags.ClientCertificate */) {
    const length = payload.readUInt32LE(at);
    head.clientCertificate = decodeClientCertificate(payload.utf8Slice(at + 4, at + 4 + length));
  }
  return head;
}

/** Decodes a RESPONSE_HEAD; header pairs are appended to `headers` (pass a fresh array). */
export function decodeResponseHead(payload: Buffer): ResponseHead {
  const statusCode = payload.readUInt16LE(0);
  const reasonLength = payload.readUInt16LE(2);
  const reason = decodeLatin1(payload, 4, 4 + reasonLength, recentReason);
  const headers: string[] = [];
  readHeaderPairs(payload, 4 + reasonLength, headers);
  return { statusCode, reason, headers };
}

/** A TRAILERS payload as flat `[name, value, …]` (rare: no string reuse, unlike heads). */
export function decodeTrailers(payload: Buffer): string[] {
  const fields: string[] = [];
  const pairs = payload.readUInt16LE(0);
  let at = 2;
  for (let i = 0; i < pairs; i++) {
    const nameLength = payload.readUInt16LE(at);
    at += 2;
    fields.push(payload.latin1Slice(at, at + nameLength));
    at += nameLength;
    const valueLength = payload.readUInt32LE(at);
    at += 4;
    fields.push(payload.latin1Slice(at, at + valueLength));
    at += valueLength;
  }
  return fields;
}

export function decodeAttach(payload: Buffer): AttachRequest {
  const pid = payload.readUInt32LE(0);
  const capacity = payload.readUInt32LE(4);
  const poolLength = payload.readUInt16LE(8);
  const applicationPool = payload.utf8Slice(10, 10 + poolLength);
  const idLength = payload.readUInt16LE(10 + poolLength);
  const workerId = payload.utf8Slice(12 + poolLength, 12 + poolLength + idLength);
  return { pid, capacity, applicationPool, workerId };
}

export function decodeRejected(payload: Buffer): string {
  const length = payload.readUInt16LE(0);
  return payload.utf8Slice(2, 2 + length);
}

export function decodeAbortReason(payload: Buffer): number {
  return payload.length >= 2 ? payload.readUInt16LE(0) : 0;
}

export function decodeWindowUpdate(payload: Buffer): number {
  return payload.readUInt32LE(0);
}
