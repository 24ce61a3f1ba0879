// One client connection, from accept to close: llhttp reads it (in C++, straight from the socket), each
// request head goes to intake, body chunks to the request that owns them, and the responses go back out
// in the order the requests came in. The HTTP.SYS connection timers (HeaderWait, IdleConnection) are
// kept here as timestamps that httpsys' sweep checks, so an idle connection costs no timer.
import type { Socket } from 'node:net';
import { normalizeAddress } from '../routing/host-header.js';
import { HTTPParser, METHODS, type LlhttpParser, type ParseError } from './http-parser.js';
import type { SiteCounters } from '../counters/listener-counters.js';
import type { ListenerRequest } from '../requests/listener-request.js';
import type { SecureConnection } from '../ssl/tls-front.js';
import type { ProxiedClient } from './proxy-protocol.js';
import type { SiteRoute } from '../routing/routing-table.js';
import type { RequestCarrier } from '../requests/request-front.js';
import type { Http1ResponseWriter } from './http1-response-writer.js';
import type { CacheKeyMemo } from '../cache/kernel-cache.js';
import type { HostMemo } from '../requests/request-router.js';

/** A request line and its headers, as parsed. */
export interface RequestHead {
  method: string;
  url: string;
  httpVersionMajor: number;
  httpVersionMinor: number;
  /** Name, value, name, value … as received. */
  rawHeaders: string[];
  /** llhttp's verdict from the version and Connection header. */
  keepAlive: boolean;
  /** An Upgrade (or CONNECT) request: after its head the connection carries raw bytes. */
  upgrade: boolean;
  /** The HTTP/2 stream carrying it (0: HTTP/1.x). */
  streamId: number;
}

/** What a connection hands to httpsys (RequestIntake implements it). */
export interface ConnectionEvents {
  /** A request head was parsed; intake checks and routes it (and rejects it on the connection if it must). */
  onRequestHead(connection: ClientConnection, head: RequestHead): void;
  /** The packet that carried these requests parsed cleanly: they may go to their queues, in order. */
  submitParsed(request: ListenerRequest): void;
  /** llhttp refused the bytes (or the client closed mid-request). */
  onParseError(connection: ClientConnection, error: ParseError): void;
  onConnectionClosed(connection: ClientConnection): void;
}

export { ReadBlock } from './read-block.js';

export interface HeldRequest {
  request: ListenerRequest;
  siteCounters: SiteCounters;
}

// Parsers are reused across connections, as Node's http server does (creating one is a C++ allocation).
const parserPool: LlhttpParser[] = [];
const PARSER_POOL_SIZE = 1000;

type ConnectionParser = LlhttpParser & { connection: ClientConnection | null };

function onHeaders(this: ConnectionParser, headers: string[], url: string): void {
  this.connection?.headersFlushed(headers, url);
}

function onHeadersComplete(
  this: ConnectionParser,
  versionMajor: number,
  versionMinor: number,
  headers: string[] | undefined,
  method: number,
  url: string | undefined,
  _statusCode: unknown,
  _statusMessage: unknown,
  upgrade: boolean,
  keepAlive: boolean,
): number {
  this.connection?.headersComplete(versionMajor, versionMinor, headers, method, url, upgrade, keepAlive);
  return 0;
}

function onBody(this: ConnectionParser, chunk: Buffer): void {
  const connection = this.connection;
  if (connection === null) return;
  connection.bodyBytes += chunk.length;
  connection.bodyTarget?.onRequestBody(chunk);
}

function onMessageComplete(this: ConnectionParser): void {
  this.connection?.messageComplete();
}

function onExecute(this: ConnectionParser, result: number | ParseError): void {
  this.connection?.packetParsed(result);
}

function takeParser(): ConnectionParser {
  const parser = (parserPool.pop() ?? new HTTPParser()) as ConnectionParser;
  // No JavaScript for a message's first byte (a call from C++ per request): packetParsed() sees a head
  // left incomplete by a packet instead.
  parser[HTTPParser.kOnMessageBegin] = undefined;
  parser[HTTPParser.kOnHeaders] = onHeaders;
  parser[HTTPParser.kOnHeadersComplete] = onHeadersComplete;
  parser[HTTPParser.kOnBody] = onBody;
  parser[HTTPParser.kOnMessageComplete] = onMessageComplete;
  parser[HTTPParser.kOnExecute] = onExecute;
  return parser;
}

function releaseParser(parser: ConnectionParser): void {
  parser.connection = null;
  if (parserPool.length < PARSER_POOL_SIZE) {
    parserPool.push(parser);
    return;
  }
  // Not from inside its own callback: Node closes surplus parsers on the next turn too.
  setImmediate(() => parser.close());
}

type ConsumableHandle = { reading: boolean; readStart(): number; readStop(): number };

const kConnection = Symbol('poolhost.clientConnection');
type ConnectionSocket = Socket & { [kConnection]: ClientConnection };

// Shared socket listeners (a closure per connection would cost memory on every idle connection).
function onSocketEnd(this: ConnectionSocket): void {
  this[kConnection].clientEnded();
}

function onSocketClose(this: ConnectionSocket): void {
  this[kConnection].closed();
}

function ignoreSocketError(): void {
  // 'close' follows; a reset client is not httpsys' error.
}

export class ClientConnection implements RequestCarrier {
  readonly clientIp: string;
  readonly clientPort: number;
  readonly localIp: string;
  readonly localPort: number;
  /** Arrived on an https binding (the socket is a TLSSocket; llhttp reads the decrypted stream). */
  readonly secure: boolean = false;
  /** The client's TLS certificate, encoded for the data plane (encodeClientCertificate); null: none. */
  readonly clientCertificate: string | null = null;
  /** Requests of this connection queued or on a worker (pipelining can make it more than one). */
  active: ListenerRequest[] = [];
  /**
   * Pipelined requests parsed while `MAX_PIPELINE_DISPATCH` of this connection's requests were already
   * queued or on a worker: they wait here, in order, not in the pool's queue (see request-intake.ts).
   */
  held: HeldRequest[] = [];
  /** Web Service counters of the site this connection's first routed request went to (Current Connections, bytes). */
  countedSite: SiteCounters | null = null;
  /** Responses not all written, in the order their requests arrived: the first one writes. */
  readonly outgoing: Http1ResponseWriter[] = [];
  /** HTTP.SYS answered an error on it: it closes, and nothing more it carries is routed. */
  closing = false;
  /** The request just accepted is the connection's last: heads parsed after it are never routed. */
  lastRequestAccepted = false;
  /**
   * The host drains (`poolhost drain`): the response to the last request in line says `Connection: close`,
   * and the connection ends at that response boundary (or at once when it is idle).
   */
  drainRequested = false;
  /** The request receiving body bytes from the parser. */
  bodyTarget: ListenerRequest | null = null;
  /** When the head being received began (0: none is); HeaderWait runs from here. */
  headStartedAt = 0;
  /** When the connection last became idle: no request in progress, no response outstanding (0: busy). */
  idleSince: number;
  /** The site of the last request routed on it: its limits (connectionTimeout) apply to the connection. */
  site: SiteRoute | null = null;
  /** A request body is being received (from its head until llhttp completes the message). */
  receivingBody = false;
  /** The request whose body is being received (for its HTTPERR line). */
  bodyRequest: ListenerRequest | null = null;
  /** Body bytes parsed on this connection; the sweep compares it to see whether any arrived. */
  bodyBytes = 0;
  bodyBytesChecked = 0;
  /** Since when no body byte arrived while httpsys was reading (EntityBody). */
  bodyWaitSince = 0;
  /** The response was complete before the body: since when the rest has been drained (DrainEntityBody; 0: not draining). */
  drainingSince = 0;
  /** Its last valid Host and the site it was bound to (request-router.ts). */
  lastHost: HostMemo | null = null;
  /**
   * Intake's verdict on the head just parsed: no body follows it (no Transfer-Encoding, no Content-Length
   * or 0), so llhttp completes the message with the head (set from onRequestHead, read right after it).
   */
  bodyless = false;
  /** The parser calls messageComplete() (not for a bodyless message: see headersComplete()). */
  private completionCalled = true;
  /** The kernel cache's key of the last request looked up on this connection: the next request for the same URL reuses it (cache/kernel-cache.ts). */
  lastCacheKey: CacheKeyMemo | null = null;
  private parser: ConnectionParser | null;
  private partialHeaders: string[] = [];
  private partialUrl = '';
  /** llhttp completed the head of the message being parsed: fields it flushes now are trailers. */
  private headComplete = false;
  /** The trailer section of the chunked body being parsed (null: none so far). */
  private trailers: string[] | null = null;
  /** Requests parsed from the packet being read; submitted once all of it parsed without error. */
  private readonly parsed: ListenerRequest[] = [];
  private upgradeRequest: ListenerRequest | null = null;
  private readBlocks = 0;
  /** An error answer HTTP.SYS writes once the responses before it are out; then the connection ends. */
  private finalAnswer: Buffer | null = null;
  /** The client half-closed: end once the responses it is owed are written. */
  private endWhenDone = false;

  constructor(
    readonly socket: Socket,
    private readonly events: ConnectionEvents,
    maxRequestBytes: number,
    /** httpsys' set of open connections (for its timer sweep and shutdown); left on close. */
    private readonly registry: Set<ClientConnection>,
    /** A TLS connection: its addresses, read from the TCP socket before the handshake, and the client's certificate. */
    secure?: SecureConnection,
    /** The client a PROXY protocol header named (proxy-protocol.ts), for a cleartext connection. */
    proxied?: ProxiedClient | null,
  ) {
    const handle = (socket as Socket & { _handle: { getpeername(out: object): number; getsockname(out: object): number } })._handle;
    if (secure) {
      this.secure = true;
      this.clientIp = secure.clientIp;
      this.clientPort = secure.clientPort;
      this.localIp = secure.localIp;
      this.localPort = secure.localPort;
      this.clientCertificate = secure.clientCertificate;
    } else {
      // One getpeername/getsockname each, into a scratch object: Node's address getters would cache an
      // address object on every socket.
      const address = { address: '', port: 0 };
      handle.getpeername(address);
      this.clientIp = proxied ? proxied.ip : normalizeAddress(address.address);
      this.clientPort = proxied ? proxied.port : address.port;
      handle.getsockname(address);
      this.localIp = normalizeAddress(address.address);
      this.localPort = address.port;
    }
    this.idleSince = Date.now();
    const parser = takeParser();
    // Transfer-Encoding with Content-Length is not llhttp's error here: HTTP.SYS takes the request with
    // Transfer-Encoding overriding (RFC 9112 §6.3), and intake drops the Content-Length and closes after it.
    parser.initialize(HTTPParser.REQUEST, this, maxRequestBytes, HTTPParser.kLenientChunkedLength);
    parser.connection = this;
    parser.consume(handle);
    this.parser = parser;
    (socket as ConnectionSocket)[kConnection] = this;
    socket.on('end', onSocketEnd);
    socket.on('close', onSocketClose);
    socket.on('error', ignoreSocketError);
  }

  /**
   * Bytes a TLS socket decrypted before llhttp consumed it (none in practice: the handshake's last flight
   * completes before any application data is read) are parsed here, so none can be lost.
   */
  parseBuffered(): void {
    if (this.socket.readableLength === 0 || !this.parser) return;
    const buffered = this.socket.read() as Buffer | null;
    if (buffered) this.packetParsed(this.parser.execute(buffered));
  }

  // --- parser callbacks --------------------------------------------------------------------------

  headersFlushed(headers: string[], url: string): void {
    // After the head, what llhttp flushes is a chunked body's trailer section (RFC 9112 §7.1.2).
    const into = this.headComplete ? (this.trailers ??= []) : this.partialHeaders;
    for (let i = 0; i < headers.length; i++) into.push(headers[i]!);
    if (!this.headComplete) this.partialUrl += url;
  }

  headersComplete(
    versionMajor: number,
    versionMinor: number,
    headers: string[] | undefined,
    method: number,
    url: string | undefined,
    upgrade: boolean,
    keepAlive: boolean,
  ): void {
    this.headStartedAt = 0;
    this.idleSince = 0;
    this.headComplete = true;
    if (headers === undefined) {
      headers = this.partialHeaders;
      this.partialHeaders = [];
    }
    if (url === undefined) {
      url = this.partialUrl;
      this.partialUrl = '';
    }
    const head: RequestHead = {
      method: METHODS[method] ?? String(method),
      url,
      httpVersionMajor: versionMajor,
      httpVersionMinor: versionMinor,
      rawHeaders: headers,
      keepAlive,
      upgrade,
      streamId: 0,
    };
    this.bodyless = false;
    this.events.onRequestHead(this, head);
    // A bodyless message ends with its head, and its end has nothing for JavaScript to do (no body target,
    // no trailers): the parser is told not to call messageComplete() for it, which saves a call from C++
    // per request. Whatever intake did not positively find bodyless keeps the call.
    const called = !this.bodyless;
    if (called !== this.completionCalled && this.parser !== null) {
      this.completionCalled = called;
      this.parser[HTTPParser.kOnMessageComplete] = called ? onMessageComplete : undefined;
    }
    if (!called) this.headComplete = false;
  }

  messageComplete(): void {
    const target = this.bodyTarget;
    const trailers = this.trailers;
    this.trailers = null;
    this.bodyTarget = null;
    this.receivingBody = false;
    this.bodyRequest = null;
    this.drainingSince = 0;
    // What llhttp flushes from here on belongs to the next message's head.
    this.headComplete = false;
    target?.onRequestBodyEnd(trailers);
  }

  /** Intake accepted a request with a body: it is the one receiving the bytes the parser reads next. */
  startBody(request: ListenerRequest): void {
    this.bodyTarget = request;
    this.bodyRequest = request;
    this.receivingBody = true;
    this.drainingSince = 0;
    this.bodyBytesChecked = this.bodyBytes;
    this.bodyWaitSince = Date.now();
  }

  /** httpsys stopped reading it (flow control, pipelining): body timers do not run meanwhile. */
  get readBlocked(): boolean {
    return this.readBlocks !== 0;
  }

  packetParsed(result: number | ParseError): void {
    const parsed = this.parsed;
    if (typeof result !== 'number') {
      // A request parsed before the error in the same packet (a smuggled one among them) never reaches a
      // queue: the connection is answered 400 and closed.
      for (const request of parsed) this.dropOutgoing(request.writer as Http1ResponseWriter);
      parsed.length = 0;
      this.bodyTarget = null;
      result.rawPacket ??= this.parser?.getCurrentBuffer();
      this.events.onParseError(this, result);
      return;
    }
    const upgrade = this.upgradeRequest;
    if (upgrade) {
      // llhttp stopped at the end of the upgrade head: what follows is the new protocol's, read raw.
      const buffer = this.parser!.getCurrentBuffer();
      upgrade.upgradeHead = buffer.subarray(result);
      this.upgradeRequest = null;
      this.detachParser();
    }
    // HeaderWait: a head this packet left incomplete began in it (llhttp begins a message at its first
    // byte, and a head completed earlier keeps headersCompleted() true until the next one begins).
    if (this.headStartedAt === 0 && this.parser !== null && !this.parser.headersCompleted()) {
      this.headStartedAt = Date.now();
      this.idleSince = 0;
    }
    if (parsed.length === 0) return;
    for (let i = 0; i < parsed.length; i++) this.events.submitParsed(parsed[i]!);
    parsed.length = 0;
  }

  // --- requests ----------------------------------------------------------------------------------

  /** Intake accepted a request: its response takes its place in line; it is submitted after the packet. */
  accepted(request: ListenerRequest, writer: Http1ResponseWriter): void {
    this.outgoing.push(writer);
    this.parsed.push(request);
    if (request.head.upgrade) this.upgradeRequest = request;
  }

  /** The first response in line wrote its last byte: the next one may write. */
  responseWritten(writer: Http1ResponseWriter, close: boolean): void {
    const outgoing = this.outgoing;
    if (outgoing[0] === writer) outgoing.shift();
    else this.dropOutgoing(writer);
    if (close) {
      this.closing = true;
      this.endSocket();
      return;
    }
    const next = outgoing[0];
    if (next) {
      next.flushOutput();
      return;
    }
    this.becameIdle();
  }

  private becameIdle(): void {
    if (this.drainRequested && !this.finalAnswer) {
      this.closing = true;
      this.endSocket();
      return;
    }
    if (this.finalAnswer) {
      const answer = this.finalAnswer;
      this.finalAnswer = null;
      this.socket.end(answer);
      return;
    }
    if (this.endWhenDone) {
      this.endSocket();
      return;
    }
    if (this.active.length === 0 && this.held.length === 0 && this.headStartedAt === 0) this.idleSince = Date.now();
  }

  private dropOutgoing(writer: Http1ResponseWriter): void {
    const index = this.outgoing.indexOf(writer);
    if (index >= 0) this.outgoing.splice(index, 1);
  }

  /**
   * HTTP.SYS answers the connection itself (a 400 for a bad head, a 404 for no site …) and closes it,
   * after the responses of the requests before it. Requests held behind it are never routed.
   */
  answerLast(answer: Buffer): void {
    this.closing = true;
    for (const { request } of this.held) this.dropOutgoing(request.writer as Http1ResponseWriter);
    this.held.length = 0;
    if (this.outgoing.length === 0) this.socket.end(answer);
    else this.finalAnswer = answer;
  }

  /**
   * Drain: close at the next response boundary. An idle connection ends now; a busy one ends after the
   * responses it owes (the last says `Connection: close`, http1-response-writer.ts). An upgraded
   * connection (WebSocket) has no response boundary: it runs until the drain's deadline.
   */
  closeAtResponseBoundary(): void {
    if (this.drainRequested || this.closing) return;
    this.drainRequested = true;
    if (this.parser === null) return;
    const idle = this.outgoing.length === 0 && this.active.length === 0 && this.held.length === 0 && this.headStartedAt === 0 && !this.receivingBody;
    if (!idle) return;
    this.closing = true;
    this.endSocket();
  }

  // --- RequestCarrier ----------------------------------------------------------------------------

  /** An upgraded connection's bytes are read as a stream and relayed to the worker. */
  startRawRelay(onData: (chunk: Buffer) => void, onEnd: () => void): void {
    const socket = this.socket;
    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.resume();
  }

  stopRawRelay(onData: (chunk: Buffer) => void, onEnd: () => void): void {
    const socket = this.socket;
    socket.removeListener('data', onData);
    socket.removeListener('end', onEnd);
    socket.pause();
  }

  requestEnded(request: ListenerRequest): void {
    if (this.bodyTarget !== request) return;
    this.bodyTarget = null;
    // The response is done before the body: what is left is read and dropped (DrainEntityBody).
    if (this.receivingBody) this.drainingSince = Date.now();
  }

  // --- reading -----------------------------------------------------------------------------------

  blockReading(reason: number): void {
    if (this.readBlocks === 0) this.setReading(false);
    this.readBlocks |= reason;
  }

  unblockReading(reason: number): void {
    if (this.readBlocks === 0) return;
    this.readBlocks &= ~reason;
    if (this.readBlocks === 0) this.setReading(true);
  }

  private setReading(on: boolean): void {
    const socket = this.socket;
    if (socket.destroyed) return;
    if (!this.parser) {
      // An upgraded connection is read as a stream.
      if (on) socket.resume();
      else socket.pause();
      return;
    }
    const handle = (socket as Socket & { _handle: ConsumableHandle | null })._handle;
    if (!handle) return;
    handle.reading = on;
    if (on) handle.readStart();
    else handle.readStop();
  }

  // --- the socket's end --------------------------------------------------------------------------

  /** The client sent FIN. A request cut short is an error; otherwise the owed responses are still written. */
  clientEnded(): void {
    const error = this.parser?.finish();
    if (error) {
      this.packetParsed(error as ParseError);
      return;
    }
    if (this.parser === null) return; // upgraded: the relay sees the end
    if (this.outgoing.length === 0 && !this.finalAnswer) this.endSocket();
    else this.endWhenDone = true;
  }

  private endSocket(): void {
    if (!this.socket.destroyed && !this.socket.writableEnded) this.socket.end();
  }

  closed(): void {
    this.registry.delete(this);
    if (this.countedSite) this.countedSite.connectionClosed(this.socket.bytesWritten, this.socket.bytesRead);
    this.detachParser();
    this.bodyTarget = null;
    this.bodyRequest = null;
    this.receivingBody = false;
    this.parsed.length = 0;
    this.events.onConnectionClosed(this);
    this.outgoing.length = 0;
  }

  /**
   * h2c prior knowledge: llhttp stops reading (the preface is no HTTP/1.1 request), and the socket, with
   * the bytes already read put back, leaves this connection for the HTTP/2 front end. Null when the
   * socket is already gone.
   */
  handOff(read: Buffer): Socket | null {
    const socket = this.socket;
    if (socket.destroyed) return null;
    this.detachParser();
    socket.removeListener('end', onSocketEnd);
    socket.removeListener('close', onSocketClose);
    socket.removeListener('error', ignoreSocketError);
    this.registry.delete(this);
    socket.unshift(read);
    return socket;
  }

  private detachParser(): void {
    const parser = this.parser;
    if (!parser) return;
    this.parser = null;
    parser.unconsume();
    releaseParser(parser);
  }
}
