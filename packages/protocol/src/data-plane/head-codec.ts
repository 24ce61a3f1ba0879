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

function readHeaderPairs(payload: Buffer, at: number, into: string[]): number {
  const pairs = payload.readUInt16LE(at);
  at += 2;
  for (let i = 0; i < pairs; i++) {
    const nameLength = payload.readUInt16LE(at);
    at += 2;
    into.push(payload.latin1Slice(at, at + nameLength));
    at += nameLength;
    const valueLength = payload.readUInt32LE(at);
    at += 4;
    into.push(payload.latin1Slice(at, at + valueLength));
    at += valueLength;
  }
  return at;
}

export function decodeRequestHead(payload: Buffer): RequestHead {
  const siteId = payload.readUInt32LE(0);
  const httpVersionMajor = payload[4]!;
  const httpVersionMinor = payload[5]!;
  const clientPort = payload.readUInt16LE(6);
  const localPort = payload.readUInt16LE(8);
  let at = 10;
  let length = payload[at++]!;
  const method = payload.latin1Slice(at, at + length);
  at += length;
  length = payload[at++]!;
  const clientIp = payload.latin1Slice(at, at + length);
  at += length;
  length = payload[at++]!;
  const localIp = payload.latin1Slice(at, at + length);
  at += length;
  length = payload.readUInt16LE(at);
  at += 2;
  const applicationPath = payload.utf8Slice(at, at + length);
  at += length;
  length = payload.readUInt32LE(at);
  at += 4;
  const url = payload.latin1Slice(at, at + length);
  at += length;
  const rawHeaders: string[] = [];
  readHeaderPairs(payload, at, rawHeaders);
  return { siteId, method, url, httpVersionMajor, httpVersionMinor, rawHeaders, clientIp, clientPort, localIp, localPort, applicationPath };
}

/** Decodes a RESPONSE_HEAD; header pairs are appended to `headers` (pass a fresh array). */
export function decodeResponseHead(payload: Buffer): ResponseHead {
  const statusCode = payload.readUInt16LE(0);
  const reasonLength = payload.readUInt16LE(2);
  const reason = payload.latin1Slice(4, 4 + reasonLength);
  const headers: string[] = [];
  readHeaderPairs(payload, 4 + reasonLength, headers);
  return { statusCode, reason, headers };
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
