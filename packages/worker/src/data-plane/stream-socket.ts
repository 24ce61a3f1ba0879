// The `socket` a request and its response see inside the worker: just enough of net.Socket for Node's
// ServerResponse and for what frameworks read (addresses, setTimeout, destroy), backed by one stream of
// the data connection. An EventEmitter, not a stream.Duplex: it is created for every request.
import { EventEmitter } from 'node:events';
import { installNetSocketSurface, type NetSocketSurface } from './net-socket-surface.js';
import { emitResponseClose, type StreamResponse } from './stream-response.js';
import type { WorkerStream } from './worker-stream.js';
import type { ClientCertificateInfo } from '@poolhost/protocol';

interface WritableStateLike {
  corked: number;
  length: number;
  needDrain: boolean;
  ended: boolean;
}

export interface PeerCertificate {
  subject: Record<string, string>;
  issuer: Record<string, string>;
  serialNumber: string;
  valid_from: string;
  valid_to: string;
  fingerprint: string;
  raw: Buffer;
}

function distinguishedName(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const part of text.split(', ')) {
    const equals = part.indexOf('=');
    if (equals > 0) fields[part.slice(0, equals)] = part.slice(equals + 1);
  }
  return fields;
}

function peerCertificateOf(info: ClientCertificateInfo): PeerCertificate {
  return {
    subject: distinguishedName(info.subject),
    issuer: distinguishedName(info.issuer),
    serialNumber: info.serialNumber,
    valid_from: info.validFrom,
    valid_to: info.validTo,
    fingerprint: info.fingerprint,
    raw: Buffer.from(info.raw, 'base64'),
  };
}

export class StreamSocket extends EventEmitter {
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly remoteFamily: string;
  readonly localAddress: string;
  readonly localPort: number;
  readable = true;
  writable = true;
  destroyed = false;
  connecting = false;
  pending = false;
  readonly readyState = 'open';
  bytesRead = 0;
  bytesWritten = 0;
  timeout: number | undefined = undefined;
  readonly readableHighWaterMark = 16 * 1024;
  readonly writableHighWaterMark = 16 * 1024;
  readonly _writableState: WritableStateLike = { corked: 0, length: 0, needDrain: false, ended: false };
  /** The response using the socket (set and cleared by WorkerStream, as ServerResponse.assignSocket/detachSocket do). */
  _httpMessage: StreamResponse | null = null;
  _paused = false;
  parser = null;

  constructor(readonly stream: WorkerStream, clientIp: string, clientPort: number, localIp: string, localPort: number) {
    super();
    this.remoteAddress = clientIp;
    this.remotePort = clientPort;
    this.remoteFamily = clientIp.includes(':') ? 'IPv6' : 'IPv4';
    this.localAddress = localIp;
    this.localPort = localPort;
  }

  /** As tls.TLSSocket: whether the client's certificate chains to the binding's CA bundle. */
  get authorized(): boolean {
    return this.stream.head.clientCertificate?.status === 'trusted';
  }

  get authorizationError(): string | undefined {
    return this.stream.head.clientCertificate?.verifyError || undefined;
  }

  /** As tls.TLSSocket.getPeerCertificate(): `{}` when the client sent none. */
  getPeerCertificate(): PeerCertificate | Record<string, never> {
    const info = this.stream.head.clientCertificate;
    return info ? peerCertificateOf(info) : {};
  }

  write(data: string | Uint8Array, encoding?: BufferEncoding | ((error?: Error | null) => void) | null, callback?: (error?: Error | null) => void): boolean {
    if (typeof encoding === 'function') {
      callback = encoding;
      encoding = null;
    }
    return this.stream.writeResponseData(data, encoding ?? undefined, callback);
  }

  end(data?: unknown, encoding?: unknown, callback?: unknown): this {
    if (typeof data === 'function') callback = data;
    else if (data !== undefined && data !== null && typeof data !== 'function') this.write(data as string, encoding as BufferEncoding);
    this.stream.endFromSocket();
    if (typeof callback === 'function') process.nextTick(callback as () => void);
    return this;
  }

  destroy(error?: Error): this {
    this.stream.destroyFromApplication(error);
    return this;
  }

  destroySoon(): void {
    this.end();
  }

  cork(): void {
    this._writableState.corked++;
  }

  uncork(): void {
    if (this._writableState.corked > 0) this._writableState.corked--;
  }

  get writableCorked(): number {
    return this._writableState.corked;
  }

  get writableLength(): number {
    return 0;
  }

  get writableNeedDrain(): boolean {
    return this.stream.needDrain;
  }

  get writableEnded(): boolean {
    return this._writableState.ended;
  }

  /** IncomingMessage._read() calls this when the application wants more of the body. */
  resume(): this {
    this.stream.bodyConsumerReady();
    return this;
  }

  pause(): this {
    return this;
  }

  isPaused(): boolean {
    return false;
  }

  setEncoding(): this {
    return this;
  }


  /** Marks the socket closed and tells listeners (ServerResponse's 'close', frameworks). */
  closeNow(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.readable = false;
    this.writable = false;
    process.nextTick(emitClose, this);
  }
}

function emitClose(socket: StreamSocket): void {
  // First, as Node's onServerResponseClose listener would be: a response still attached closes with its socket.
  const res = socket._httpMessage;
  if (res !== null) emitResponseClose(res);
  socket.emit('close', false);
}

export interface StreamSocket extends NetSocketSurface {}
installNetSocketSurface(StreamSocket);
