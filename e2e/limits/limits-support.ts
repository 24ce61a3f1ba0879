// Raw-socket conversations for the limits suite (bodies sent piece by piece, slowly or not at all),
// the records of the W3C log, and the Node app the limits tests host.
import { connect } from 'node:net';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Conversation {
  clientPort: number;
  response: string;
  status: number;
  /** The server closed the connection (FIN or reset) before the client gave up. */
  closedByServer: boolean;
  /** Body bytes the client managed to write before the server answered or closed. */
  bodyBytesWritten: number;
  elapsedMs: number;
}

const CRLF = '\r\n';

/**
 * Writes `head`, then each piece of `pieces` `intervalMs` apart (stopping once a response arrived), and
 * waits until the server closes or `timeoutMs` passes. `endWith` is written after the last piece.
 */
export function converse(
  port: number,
  head: string,
  pieces: Buffer[],
  options: { intervalMs?: number; timeoutMs?: number; endWith?: string } = {},
): Promise<Conversation> {
  const { intervalMs = 0, timeoutMs = 10_000 } = options;
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let clientPort = 0;
    let written = 0;
    let answered = false;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      socket.destroy();
    }, timeoutMs);
    const writeNext = (index: number): void => {
      if (answered || socket.destroyed) return;
      if (index >= pieces.length) {
        if (options.endWith) socket.write(options.endWith);
        return;
      }
      const piece = pieces[index]!;
      socket.write(piece, () => {
        written += piece.length;
        if (intervalMs > 0) setTimeout(() => writeNext(index + 1), intervalMs);
        else writeNext(index + 1);
      });
    };
    socket.on('connect', () => {
      clientPort = socket.localPort ?? 0;
      socket.write(head);
      writeNext(0);
    });
    socket.on('data', (chunk: Buffer) => {
      answered = true;
      chunks.push(chunk);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      const response = Buffer.concat(chunks).toString('latin1');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(response)?.[1] ?? 0);
      resolve({ clientPort, response, status, closedByServer: !timedOut, bodyBytesWritten: written, elapsedMs: Date.now() - started });
    });
  });
}

export function requestHead(method: string, path: string, headers: string[]): string {
  return `${method} ${path} HTTP/1.1${CRLF}Host: localhost${CRLF}${headers.map((header) => header + CRLF).join('')}${CRLF}`;
}

/** `count` chunks of `size` bytes in chunked transfer coding (without the last chunk). */
export function chunkedPieces(count: number, size: number): Buffer[] {
  return Array.from({ length: count }, () => Buffer.concat([Buffer.from(`${size.toString(16)}${CRLF}`), Buffer.alloc(size, 120), Buffer.from(CRLF)]));
}

export const LAST_CHUNK = `0${CRLF}${CRLF}`;

/** The body of a raw HTTP/1.1 response (after the blank line), undoing chunked coding when it is used. */
export function responseBody(response: string): string {
  const split = response.indexOf('\r\n\r\n');
  if (split < 0) return '';
  const head = response.slice(0, split);
  let body = response.slice(split + 4);
  if (/\r\ntransfer-encoding: chunked/i.test(head)) {
    let decoded = '';
    while (body.length > 0) {
      const lineEnd = body.indexOf('\r\n');
      const size = parseInt(body.slice(0, lineEnd), 16);
      if (!(size > 0)) break;
      decoded += body.slice(lineEnd + 2, lineEnd + 2 + size);
      body = body.slice(lineEnd + 2 + size + 2);
    }
    return decoded;
  }
  return body;
}

export function responseHeader(response: string, name: string): string | undefined {
  const head = response.slice(0, Math.max(0, response.indexOf('\r\n\r\n')));
  return new RegExp(`\\r\\n${name}: ([^\\r]*)`, 'i').exec(head)?.[1];
}

/** Every record of the site's W3C logs, as field → value. */
export function w3cRecords(root: string, siteId = 1): Array<Record<string, string>> {
  const folder = join(root, 'logs', 'LogFiles', `W3SVC${siteId}`);
  if (!existsSync(folder)) return [];
  const records: Array<Record<string, string>> = [];
  for (const name of readdirSync(folder)) {
    let fields: string[] = [];
    for (const line of readFileSync(join(folder, name), 'utf8').split('\r\n')) {
      if (line.startsWith('#Fields: ')) fields = line.slice('#Fields: '.length).split(' ');
      else if (line && !line.startsWith('#')) records.push(Object.fromEntries(line.split(' ').map((value, index) => [fields[index], value])));
    }
  }
  return records;
}

/**
 * Reads request bodies and says how many bytes it got; records what happened to each request in
 * RECORD_FILE (`complete <bytes>`, `aborted <bytes>`, `error <code>`). `/early` answers before reading;
 * `/slow-response?kb=N` writes N KiB.
 */
export const bodyCountingApp = `
const fs = require('node:fs');
const record = (line) => { if (process.env.RECORD_FILE) fs.appendFileSync(process.env.RECORD_FILE, line + '\\n'); };
module.exports = (req, res) => {
  const url = new URL(req.url, 'http://x');
  if (url.pathname === '/download') {
    const total = Number(url.searchParams.get('kb') || 1) * 1024;
    res.setHeader('content-type', 'application/octet-stream');
    res.setHeader('content-length', String(total));
    const chunk = Buffer.alloc(16 * 1024);
    for (let index = 0; index < chunk.length; index++) chunk[index] = index % 251;
    let sent = 0;
    const pump = () => {
      while (sent < total) {
        const piece = chunk.subarray(0, Math.min(chunk.length, total - sent));
        sent += piece.length;
        if (!res.write(piece)) { res.once('drain', pump); return; }
      }
      res.end();
    };
    pump();
    return;
  }
  if (url.pathname === '/early') {
    res.end('answered before reading');
    return;
  }
  let bytes = 0;
  req.on('data', (chunk) => { bytes += chunk.length; });
  req.on('aborted', () => record('aborted ' + bytes));
  req.on('error', (error) => record('error ' + (error.code || error.message)));
  req.on('end', () => {
    record('complete ' + bytes);
    res.setHeader('content-type', 'text/plain');
    res.end('received ' + bytes);
  });
};
`;
