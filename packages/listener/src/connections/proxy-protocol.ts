// The PROXY protocol header (HAProxy's proxy-protocol.txt, versions 1 and 2) that a load balancer sends
// first on each connection to a port whose bindings say proxyProtocol="required": the client address
// and port the balancer saw become the connection's, for routing, ipSecurity, W3C c-ip, REMOTE_ADDR and
// X-Forwarded-For alike. The header is read before anything else (before the TLS ClientHello), exactly
// to its end: what follows it in the same packet goes back to the socket for TLS or llhttp to read.
// A connection whose first bytes are not a valid header, or that sends none within HeaderWait, is
// closed: a port that requires the header never takes an address from anyone but the balancer, and a
// port that does not require it never reads one (its bytes would be an invalid request line).
import type { Socket } from 'node:net';
import { isIPv4, isIPv6 } from 'node:net';
import { normalizeAddress } from '../routing/host-header.js';

/** The client the balancer saw; null for a LOCAL (v2) or UNKNOWN (v1) header: the balancer's own connection (a health check). */
export interface ProxiedClient {
  ip: string;
  port: number;
}

export type ProxyHeaderParse =
  /** More bytes are needed. */
  | { kind: 'incomplete' }
  | { kind: 'invalid'; reason: string }
  | { kind: 'complete'; length: number; client: ProxiedClient | null };

const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
const V1_PREFIX = Buffer.from('PROXY ', 'latin1');
/** v1: "the maximum line length is 107 characters including the CRLF". */
const V1_MAX_LENGTH = 107;
/** v2: the 16-byte preamble, then addresses and TLVs; a balancer's TLVs (SSL, unique id, ALPN) fit in this. */
export const V2_MAX_LENGTH = 16 + 4096;

/** Reads a header from the start of `data` (all the connection's bytes so far). */
export function parseProxyHeader(data: Buffer): ProxyHeaderParse {
  if (data.length === 0) return { kind: 'incomplete' };
  if (data[0] === 0x0d) return parseV2(data);
  if (data[0] === 0x50) return parseV1(data);
  return { kind: 'invalid', reason: 'the connection did not open with a PROXY protocol header' };
}

function startsLike(data: Buffer, prefix: Buffer): boolean {
  const length = Math.min(data.length, prefix.length);
  return data.subarray(0, length).equals(prefix.subarray(0, length));
}

function parseV1(data: Buffer): ProxyHeaderParse {
  if (!startsLike(data, V1_PREFIX)) return { kind: 'invalid', reason: 'the connection did not open with a PROXY protocol header' };
  const end = data.indexOf('\r\n', 0, 'latin1');
  if (end < 0) return data.length >= V1_MAX_LENGTH ? { kind: 'invalid', reason: 'PROXY v1 line longer than 107 bytes' } : { kind: 'incomplete' };
  if (end + 2 > V1_MAX_LENGTH) return { kind: 'invalid', reason: 'PROXY v1 line longer than 107 bytes' };
  const fields = data.toString('latin1', V1_PREFIX.length, end).split(' ');
  const length = end + 2;
  if (fields[0] === 'UNKNOWN') return { kind: 'complete', length, client: null };
  if (fields.length !== 5 || (fields[0] !== 'TCP4' && fields[0] !== 'TCP6')) return { kind: 'invalid', reason: `PROXY v1 line "${data.toString('latin1', 0, end)}" is not TCP4/TCP6 with two addresses and two ports` };
  const [family, source, destination, sourcePort, destinationPort] = fields as [string, string, string, string, string];
  const valid = family === 'TCP4' ? isIPv4 : isIPv6;
  if (!valid(source) || !valid(destination)) return { kind: 'invalid', reason: `PROXY v1 addresses are not ${family === 'TCP4' ? 'IPv4' : 'IPv6'} addresses` };
  const port = portOf(sourcePort);
  if (port === null || portOf(destinationPort) === null) return { kind: 'invalid', reason: 'PROXY v1 ports are not numbers from 0 to 65535' };
  return { kind: 'complete', length, client: { ip: normalizeAddress(source), port } };
}

function portOf(text: string): number | null {
  if (!/^(0|[1-9][0-9]{0,4})$/.test(text)) return null;
  const port = Number(text);
  return port <= 65535 ? port : null;
}

function parseV2(data: Buffer): ProxyHeaderParse {
  if (!startsLike(data, V2_SIGNATURE)) return { kind: 'invalid', reason: 'the connection did not open with a PROXY protocol header' };
  if (data.length < 16) return { kind: 'incomplete' };
  const versionCommand = data[12]!;
  if (versionCommand >> 4 !== 2) return { kind: 'invalid', reason: `PROXY v2 header with version ${versionCommand >> 4}` };
  const command = versionCommand & 0x0f;
  if (command > 1) return { kind: 'invalid', reason: `PROXY v2 header with command ${command}` };
  const length = 16 + data.readUInt16BE(14);
  if (length > V2_MAX_LENGTH) return { kind: 'invalid', reason: `PROXY v2 header of ${length} bytes (at most ${V2_MAX_LENGTH})` };
  if (data.length < length) return { kind: 'incomplete' };
  // LOCAL: the balancer speaking for itself (a health check); its own address stands.
  if (command === 0) return { kind: 'complete', length, client: null };
  const family = data[13]! >> 4;
  const transport = data[13]! & 0x0f;
  if (family === 1 && transport === 1) {
    if (length < 16 + 12) return { kind: 'invalid', reason: 'PROXY v2 TCP over IPv4 header too short for its addresses' };
    const ip = `${data[16]}.${data[17]}.${data[18]}.${data[19]}`;
    return { kind: 'complete', length, client: { ip, port: data.readUInt16BE(24) } };
  }
  if (family === 2 && transport === 1) {
    if (length < 16 + 36) return { kind: 'invalid', reason: 'PROXY v2 TCP over IPv6 header too short for its addresses' };
    const groups: string[] = [];
    for (let at = 16; at < 32; at += 2) groups.push(data.readUInt16BE(at).toString(16));
    return { kind: 'complete', length, client: { ip: normalizeAddress(compressIpv6(groups)), port: data.readUInt16BE(48) } };
  }
  // UNSPEC, UNIX or datagram sources carry no TCP client to speak of: the balancer's address stands.
  return { kind: 'complete', length, client: null };
}

/** Eight hex groups -> RFC 5952 text (the longest run of two or more zero groups becomes `::`). */
function compressIpv6(groups: string[]): string {
  let bestStart = -1;
  let bestLength = 1;
  for (let start = 0; start < 8; ) {
    if (groups[start] !== '0') {
      start++;
      continue;
    }
    let end = start;
    while (end < 8 && groups[end] === '0') end++;
    if (end - start > bestLength) {
      bestStart = start;
      bestLength = end - start;
    }
    start = end;
  }
  if (bestStart < 0) return groups.join(':');
  return `${groups.slice(0, bestStart).join(':')}::${groups.slice(bestStart + bestLength).join(':')}`;
}

/**
 * Reads the header off a just-accepted socket, then calls `accepted` with the client it names (null: the
 * socket's own peer stands) once it is whole, the bytes after it put back; or `refused` with why, once.
 * The socket stays paused in between, so no byte reaches anyone else.
 */
export function readProxyHeader(
  socket: Socket,
  timeoutMs: number,
  accepted: (client: ProxiedClient | null) => void,
  refused: (reason: string, timedOut: boolean) => void,
): void {
  let received: Buffer = Buffer.alloc(0);
  let settled = false;
  const finish = (): void => {
    settled = true;
    clearTimeout(timer);
    socket.off('readable', onReadable);
    socket.off('end', onEnd);
    socket.off('error', onError);
  };
  const refuse = (reason: string, timedOut = false): void => {
    if (settled) return;
    finish();
    refused(reason, timedOut);
  };
  const onReadable = (): void => {
    if (settled) return;
    let chunk: Buffer | null;
    while ((chunk = socket.read() as Buffer | null) !== null) {
      received = received.length === 0 ? chunk : Buffer.concat([received, chunk]);
      const parsed = parseProxyHeader(received);
      if (parsed.kind === 'incomplete') {
        if (received.length >= V2_MAX_LENGTH) return refuse('PROXY header too long');
        continue;
      }
      if (parsed.kind === 'invalid') return refuse(parsed.reason);
      finish();
      if (parsed.length < received.length) socket.unshift(received.subarray(parsed.length));
      accepted(parsed.client);
      return;
    }
  };
  const onEnd = (): void => refuse('the connection ended before its PROXY header');
  const onError = (): void => refuse('the connection failed before its PROXY header');
  const timer = setTimeout(() => refuse('no PROXY header within HeaderWait', true), timeoutMs);
  socket.on('readable', onReadable);
  socket.on('end', onEnd);
  socket.on('error', onError);
}
