// Forwards one request to a node process over its socket (iisnode's CProtocolBridge over a named
// pipe): the request head and body streamed in, the response status, headers and body streamed back,
// with backpressure both ways, and trailer fields both ways after the bodies. Hop-by-hop headers stay
// on their own hop. Returns through `failed` when no response head came (the process ended or
// refused): the caller answers with iisnode's error.
import { request, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import type { HttpContext } from '../../pipeline/http-context.js';
import type { NodeProcess } from './node-process.js';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'expect', 'te', 'trailer']);

function forwardedRequestHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const result: OutgoingHttpHeaders = {};
  for (const name in headers) if (!HOP_BY_HOP.has(name)) result[name] = headers[name];
  return result;
}

/**
 * The answer's header pairs for the client. `Trailer` (which fields follow the body) is end-to-end and
 * goes along when the client's response can carry trailers (HTTP/1.1 chunked, or HTTP/2, which httpsys
 * frames itself): Node refuses the header on a response it will not chunk.
 */
function responseHeaders(raw: string[], trailersAllowed: boolean): string[] {
  const result: string[] = [];
  for (let index = 0; index < raw.length; index += 2) {
    const name = raw[index]!.toLowerCase();
    if (!HOP_BY_HOP.has(name) || (trailersAllowed && name === 'trailer')) result.push(raw[index]!, raw[index + 1]!);
  }
  return result;
}

/** Flat raw trailer pairs -> the `[name, value]` tuples `addTrailers` takes (names keep their case). */
function trailerTuples(raw: string[]): [string, string][] {
  const tuples: [string, string][] = [];
  for (let index = 0; index < raw.length; index += 2) tuples.push([raw[index]!, raw[index + 1]!]);
  return tuples;
}

export interface ProxyCallbacks {
  /** Response headers to add (iisnode-debug), computed when the head arrives. */
  extraHeaders: ((process: NodeProcess) => string[]) | null;
  failed(error: Error): void;
}

export function proxyToNode(context: HttpContext, process: NodeProcess, callbacks: ProxyCallbacks): void {
  const { req, res } = context;
  process.requestStarted();
  let counted = true;
  const done = (): void => {
    if (!counted) return;
    counted = false;
    process.requestEnded();
  };
  const upstream = request({
    socketPath: process.spec.socketPath,
    agent: process.agent,
    method: req.method,
    path: req.url,
    headers: forwardedRequestHeaders(req.headers),
    setHost: false,
  });
  upstream.on('response', (answer: IncomingMessage) => {
    const chunked = answer.headers['content-length'] === undefined && (req.httpVersionMajor === 2 || req.httpVersionMinor >= 1);
    const headers = responseHeaders(answer.rawHeaders, chunked);
    if (callbacks.extraHeaders) headers.push(...callbacks.extraHeaders(process));
    res.writeHead(answer.statusCode ?? 502, answer.statusMessage, headers);
    answer.pipe(res, { end: false });
    answer.on('end', () => {
      // The answer's trailer section is known once its body has ended.
      if (chunked && answer.rawTrailers.length > 0) res.addTrailers(trailerTuples(answer.rawTrailers));
      res.end();
      done();
    });
    answer.on('aborted', () => {
      done();
      res.destroy();
    });
  });
  upstream.on('error', (error) => {
    done();
    if (res.headersSent) res.destroy();
    else callbacks.failed(error);
  });
  res.on('close', () => {
    done();
    if (!res.writableFinished) upstream.destroy();
  });
  req.pipe(upstream, { end: false });
  req.on('end', () => {
    // The client's trailer section (a chunked HTTP/1.1 body's, or HTTP/2's trailing HEADERS) follows
    // its body to the application; a body forwarded with a Content-Length has nowhere to put them.
    if (req.rawTrailers.length > 0 && upstream.getHeader('content-length') === undefined) upstream.addTrailers(trailerTuples(req.rawTrailers));
    upstream.end();
  });
}

/** An upgrade (WebSocket): the handshake goes to the process; a 101 joins the two sockets. */
export function proxyUpgradeToNode(req: IncomingMessage, socket: Duplex, head: Buffer, process: NodeProcess): void {
  process.requestStarted();
  let counted = true;
  const done = (): void => {
    if (!counted) return;
    counted = false;
    process.requestEnded();
  };
  const headers: OutgoingHttpHeaders = { ...req.headers };
  const upstream = request({ socketPath: process.spec.socketPath, method: req.method, path: req.url, headers, setHost: false });
  upstream.on('upgrade', (answer: IncomingMessage, nodeSocket: Duplex, nodeHead: Buffer) => {
    let text = `HTTP/1.1 ${answer.statusCode} ${answer.statusMessage}\r\n`;
    for (let index = 0; index < answer.rawHeaders.length; index += 2) text += `${answer.rawHeaders[index]}: ${answer.rawHeaders[index + 1]}\r\n`;
    socket.write(`${text}\r\n`);
    if (nodeHead.length > 0) socket.write(nodeHead);
    if (head.length > 0) nodeSocket.write(head);
    nodeSocket.pipe(socket);
    socket.pipe(nodeSocket);
    const close = (): void => {
      done();
      nodeSocket.destroy();
      socket.destroy();
    };
    nodeSocket.on('close', close);
    socket.on('close', close);
    nodeSocket.on('error', close);
    socket.on('error', close);
  });
  upstream.on('response', (answer: IncomingMessage) => {
    // The application refused the upgrade: its answer goes back as is, and the connection ends.
    let text = `HTTP/1.1 ${answer.statusCode} ${answer.statusMessage}\r\n`;
    for (let index = 0; index < answer.rawHeaders.length; index += 2) {
      if (!HOP_BY_HOP.has(answer.rawHeaders[index]!.toLowerCase())) text += `${answer.rawHeaders[index]}: ${answer.rawHeaders[index + 1]}\r\n`;
    }
    socket.write(`${text}connection: close\r\n\r\n`);
    answer.pipe(socket);
    answer.on('end', done);
  });
  upstream.on('error', () => {
    done();
    socket.destroy();
  });
  upstream.end();
}
