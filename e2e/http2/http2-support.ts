// HTTP/2 tests: an https (and optionally http) site on a real poolhost, curl as the h2 client.
import { startPoolhost, type PoolhostInstance } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { run } from '../support/tls-clients.js';
import { newAuthority, storeText } from '../https/https-support.js';
import type { IssuedCertificate, TestCertificateAuthority } from '../support/test-certificates.js';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect, type ClientHttp2Session } from 'node:http2';

/** Answers with what the application saw: its HTTP version, method, URL and the body length it read. */
export const versionApp = `module.exports = (req, res) => {
  let bytes = 0;
  req.on('data', (chunk) => { bytes += chunk.length; });
  req.on('end', () => {
    if (req.url.startsWith('/stream')) {
      // Written in 64 KiB pieces, each after the last was taken (backpressure honoured).
      let left = Number(new URL(req.url, 'http://x').searchParams.get('bytes'));
      const piece = Buffer.alloc(65536, 120);
      const more = () => {
        while (left > 0) {
          const size = Math.min(left, piece.length);
          left -= size;
          if (!res.write(size === piece.length ? piece : piece.subarray(0, size))) return void res.once('drain', more);
        }
        res.end();
      };
      more();
      return;
    }
    if (req.url.startsWith('/big')) {
      res.setHeader('content-type', 'application/octet-stream');
      res.end(Buffer.alloc(Number(new URL(req.url, 'http://x').searchParams.get('bytes')), 120));
      return;
    }
    res.setHeader('content-type', 'text/plain');
    res.end(req.httpVersion + ' ' + req.method + ' ' + req.url + ' ' + bytes + ' ' + req.headers.host);
  });
};`;

export interface Http2Site {
  poolhost: PoolhostInstance;
  authority: TestCertificateAuthority;
  /** www.example.test's certificate (leaf, then the CA) and key. */
  certificate: IssuedCertificate;
  httpsPort: number;
  httpPort: number;
}

/**
 * Site `Site` (id 1, pool `Pool`) with an https binding for www.example.test (`sslFlags`) and an http
 * binding; `httpSys` attributes as given; W3C logs with cs-version.
 */
export async function startHttp2Site(
  options: {
    httpsPort: number;
    httpPort: number;
    sslFlags?: number;
    httpSys?: Record<string, string>;
    app?: string;
    files?: Record<string, string>;
    /** A web garden of this many workers. */
    maxProcesses?: number;
    webLimits?: Record<string, string>;
    /** The site's `<limits>` (connectionTimeout …). */
    siteLimits?: Record<string, string>;
  },
  after: (fn: () => Promise<void>) => void,
): Promise<Http2Site> {
  const authority = newAuthority();
  const www = authority.issue('www', ['www.example.test']);
  let config = applicationHostConfig({
    pools: [options.maxProcesses ? { name: 'Pool', processModel: { maxProcesses: String(options.maxProcesses) } } : { name: 'Pool' }],
    sites: [
      {
        name: 'Site',
        id: 1,
        bindings: [`https/*:${options.httpsPort}:www.example.test#${options.sslFlags ?? 1}`, `127.0.0.1:${options.httpPort}:`],
        applications: [{ path: '/', pool: 'Pool', physicalPath: '{{root}}/app' }],
        ...(options.siteLimits ? { limits: options.siteLimits } : {}),
      },
    ],
    ...(options.httpSys ? { httpSys: options.httpSys } : {}),
    ...(options.webLimits ? { webLimits: options.webLimits } : {}),
  });
  config = config.replace(
    '<logFile logFormat="W3C"',
    '<logFile logFormat="W3C" logExtFileFlags="Date, Time, ClientIP, Method, UriStem, HttpStatus, ProtocolVersion"',
  );
  const files: Record<string, string> = {
    'sslcert.json': storeText([{ hostnameport: `www.example.test:${options.httpsPort}`, certfile: www.certFile, keyfile: www.keyFile }]),
    'app/server.js': options.app ?? versionApp,
    ...(options.files ?? {}),
  };
  const poolhost = await startPoolhost({ config, files, waitForPort: [options.httpsPort, options.httpPort] }, after);
  return { poolhost, authority, certificate: www, httpsPort: options.httpsPort, httpPort: options.httpPort };
}

export interface CurlResponse {
  code: number;
  /** `HTTP/2` or `HTTP/1.1`. */
  version: string;
  status: number;
  headers: string;
  body: string;
  stderr: string;
}

/** curl with `--http2` (ALPN) against the https binding, or any other arguments. */
export async function curl(site: Http2Site, path: string, args: string[], scheme: 'https' | 'http' = 'https'): Promise<CurlResponse> {
  const port = scheme === 'https' ? site.httpsPort : site.httpPort;
  const host = scheme === 'https' ? 'www.example.test' : '127.0.0.1';
  const result = await run(
    'curl',
    ['-sS', '--cacert', site.authority.caFile, '--resolve', `www.example.test:${site.httpsPort}:127.0.0.1`, '-D', '-', '-o', '-', ...args, `${scheme}://${host}:${port}${path}`],
    '',
    60_000,
  );
  const split = result.stdout.indexOf('\r\n\r\n');
  const headers = split >= 0 ? result.stdout.slice(0, split) : '';
  const body = split >= 0 ? result.stdout.slice(split + 4) : result.stdout;
  const match = /^(HTTP\/[\d.]+) (\d+)/.exec(headers);
  return { code: result.code, version: match?.[1] ?? '', status: Number(match?.[2] ?? 0), headers, body, stderr: result.stderr };
}

/** An h2 session to the site's https binding (www.example.test on 127.0.0.1), connected; its errors are the test's to observe. */
export async function h2Session(site: Http2Site): Promise<ClientHttp2Session> {
  const session = connect(`https://www.example.test:${site.httpsPort}`, {
    ca: readFileSync(site.authority.caFile),
    servername: 'www.example.test',
    host: '127.0.0.1',
  } as Parameters<typeof connect>[1] & { host: string });
  session.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    session.once('connect', () => resolve());
    session.once('close', () => reject(new Error('the h2 session closed before it connected')));
  });
  return session;
}

export interface ChunkedExchange {
  status: number;
  body: string;
  trailers: NodeJS.Dict<string>;
  headers: NodeJS.Dict<string | string[]>;
}

/** An HTTP/1.1 POST of `hello trailers` in chunks, with trailer X-Checksum: c0ffee after the last one. */
export function postChunkedWithTrailers(port: number, path: string): Promise<ChunkedExchange> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      { host: '127.0.0.1', port, method: 'POST', path, headers: { 'transfer-encoding': 'chunked', trailer: 'X-Checksum' } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode!, body: Buffer.concat(chunks).toString(), trailers: response.trailers, headers: response.headers }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.write('hello ');
    request.addTrailers({ 'X-Checksum': 'c0ffee' });
    request.end('trailers');
  });
}
