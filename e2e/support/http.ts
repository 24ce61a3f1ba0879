// Real HTTP clients for the e2e suite: Node's http module, and raw bytes over a TCP socket.
import { request as httpRequestRaw, type Agent, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';

export interface HttpResponse {
  status: number;
  statusMessage: string;
  headers: IncomingHttpHeaders;
  rawHeaders: string[];
  body: Buffer;
  text: string;
}

export interface HttpRequestOptions {
  port: number;
  /** The server's IP address (default 127.0.0.1). */
  address?: string;
  path?: string;
  method?: string;
  host?: string;
  headers?: Record<string, string | number>;
  body?: string | Buffer;
  timeoutMs?: number;
  agent?: Agent | false;
  /** The client's source address (any of 127.0.0.0/8 on loopback), to tell clients apart behind a balancer. */
  localAddress?: string;
}

export function httpRequest(options: HttpRequestOptions): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...options.headers };
    if (options.host !== undefined) headers.host = options.host;
    // Node's client sends a DELETE/OPTIONS body with no framing at all unless told its length.
    if (options.body !== undefined && !Object.keys(headers).some((name) => name.toLowerCase() === 'content-length' || name.toLowerCase() === 'transfer-encoding')) {
      headers['content-length'] = Buffer.byteLength(options.body);
    }
    const request = httpRequestRaw(
      {
        host: options.address ?? '127.0.0.1',
        port: options.port,
        path: options.path ?? '/',
        method: options.method ?? 'GET',
        headers,
        agent: options.agent ?? false,
        ...(options.localAddress ? { localAddress: options.localAddress } : {}),
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({
            status: response.statusCode ?? 0,
            statusMessage: response.statusMessage ?? '',
            headers: response.headers,
            rawHeaders: response.rawHeaders,
            body,
            text: body.toString('utf8'),
          });
        });
        response.on('error', reject);
      },
    );
    // An idle timeout, not a bound on the answer: a pool's first request waits for its worker's start (a Node
    // process: many seconds on a loaded 2-core machine, where 10 s was seen to fail). Tests that expect no
    // answer say how long they wait.
    request.setTimeout(options.timeoutMs ?? 30_000, () => request.destroy(new Error(`request ${options.path ?? '/'} timed out`)));
    request.on('error', reject);
    request.end(options.body);
  });
}

/** Sends raw bytes and collects everything the server writes until it closes or the time runs out. */
export function rawRequest(port: number, data: string | Buffer, timeoutMs = 5_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    socket.on('connect', () => socket.write(data));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error) => {
      clearTimeout(timer);
      if (chunks.length > 0) resolve(Buffer.concat(chunks).toString('latin1'));
      else reject(error);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
  });
}

export { freePort } from './free-port.js';

/** True when something accepts TCP connections on the loopback port. */
export function tcpAccepts(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, host);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
