// Encodes frames into a reused slab and hands the socket one batch per event-loop turn (cork/uncork,
import './buffer-methods.js';
// which Node turns into a single writev). Large body chunks are not copied: they go out as their own
// buffers between slab segments.
import { FRAME_HEADER_SIZE, FrameType, MAX_DATA_FRAME_PAYLOAD, ResponseFlags } from './frame-type.js';
import { kernelCachePolicySize, writeKernelCachePolicy, type KernelCachePolicy, type KernelCacheStoreVerdict } from './kernel-cache-policy.js';

export interface FrameSink {
  write(chunk: Buffer, callback?: (error?: Error | null) => void): boolean;
  cork(): void;
  uncork(): void;
  readonly destroyed: boolean;
}

const SLAB_SIZE = 64 * 1024;
/** Body chunks at least this large are written as separate buffers instead of being copied into the slab. */
const COPY_LIMIT = 2048;

type WriteCallback = () => void;

/** Up to this length a string is copied by a loop here: cheaper than the native `latin1Write` call. */
const SHORT_STRING = 64;

/** `slab.latin1Write(text, at)` (each char's low byte); returns the bytes written. */
function writeLatin1(slab: Buffer, text: string, at: number): number {
  const length = text.length;
  if (length > SHORT_STRING) return slab.latin1Write(text, at);
  for (let index = 0; index < length; index++) slab[at + index] = text.charCodeAt(index);
  return length;
}

export class FrameWriter {
  private slab = Buffer.allocUnsafe(SLAB_SIZE);
  private segmentStart = 0;
  private position = 0;
  private batch: Buffer[] = [];
  private callbacks: WriteCallback[] = [];
  private scheduled = false;
  private readonly flushBound = (): void => this.flush();
  /** False after the sink reported backpressure; true again when it drains (the owner tracks 'drain'). */
  sinkWritable = true;

  constructor(private readonly sink: FrameSink) {}

  // --- connection frames -------------------------------------------------------------------------

  attach(pid: number, capacity: number, applicationPool: string, workerId: string, flags = 0): void {
    const poolBytes = Buffer.byteLength(applicationPool);
    const idBytes = Buffer.byteLength(workerId);
    const at = this.begin(FrameType.Attach, flags, 0, 12 + poolBytes + idBytes);
    const slab = this.slab;
    slab.writeUInt32LE(pid >>> 0, at);
    slab.writeUInt32LE(capacity >>> 0, at + 4);
    slab.writeUInt16LE(poolBytes, at + 8);
    slab.write(applicationPool, at + 10, poolBytes, 'utf8');
    slab.writeUInt16LE(idBytes, at + 10 + poolBytes);
    slab.write(workerId, at + 12 + poolBytes, idBytes, 'utf8');
  }

  rejected(reason: string): void {
    const bytes = Buffer.byteLength(reason);
    const at = this.begin(FrameType.Rejected, 0, 0, 2 + bytes);
    this.slab.writeUInt16LE(bytes, at);
    this.slab.write(reason, at + 2, bytes, 'utf8');
  }

  /** A frame with no payload: Attached, Detach, RequestEnd, ResponseEnd. */
  empty(type: FrameType, streamId: number): void {
    this.begin(type, 0, streamId, 0);
  }

  abort(streamId: number, reason: number): void {
    const at = this.begin(FrameType.Abort, 0, streamId, 2);
    this.slab.writeUInt16LE(reason, at);
  }

  /** httpsys -> worker: what became of a response offered with KernelCacheFlags.ReportStore (ASCII). */
  cacheStoreVerdict(streamId: number, verdict: KernelCacheStoreVerdict): void {
    const at = this.begin(FrameType.CacheStoreVerdict, 0, streamId, verdict.length);
    writeLatin1(this.slab, verdict, at);
  }

  windowUpdate(streamId: number, credit: number): void {
    const at = this.begin(FrameType.WindowUpdate, 0, streamId, 4);
    this.slab.writeUInt32LE(credit >>> 0, at);
  }

  // --- heads -------------------------------------------------------------------------------------

  /**
   * REQUEST_HEAD payload: u32 siteId, u8 major, u8 minor, u16 clientPort, u16 localPort,
   * u8+method, u8+clientIp, u8+localIp, u16+applicationPath (utf8), u32+url, u16 pair count,
   * pairs of (u16+name, u32+value). HTTP strings are latin1, exactly as Node's parser produced them.
   */
  requestHead(
    streamId: number,
    flags: number,
    siteId: number,
    method: string,
    url: string,
    httpVersionMajor: number,
    httpVersionMinor: number,
    rawHeaders: readonly string[],
    clientIp: string,
    clientPort: number,
    localIp: string,
    localPort: number,
    applicationPath: string,
    /** With RequestFlags.ClientCertificate: encodeClientCertificate's text. */
    clientCertificate: string | null = null,
  ): void {
    const pathBytes = Buffer.byteLength(applicationPath);
    const certificateBytes = clientCertificate === null ? 0 : Buffer.byteLength(clientCertificate);
    let size = 4 + 2 + 4 + 1 + method.length + 1 + clientIp.length + 1 + localIp.length + 2 + pathBytes + 4 + url.length + 2;
    const count = rawHeaders.length;
    for (let i = 0; i < count; i += 2) size += 6 + rawHeaders[i]!.length + rawHeaders[i + 1]!.length;
    if (clientCertificate !== null) size += 4 + certificateBytes;
    let at = this.begin(FrameType.RequestHead, flags, streamId, size);
    const slab = this.slab;
    slab.writeUInt32LE(siteId >>> 0, at);
    slab[at + 4] = httpVersionMajor;
    slab[at + 5] = httpVersionMinor;
    slab.writeUInt16LE(clientPort, at + 6);
    slab.writeUInt16LE(localPort, at + 8);
    at += 10;
    slab[at++] = method.length;
    at += writeLatin1(slab, method, at);
    slab[at++] = clientIp.length;
    at += writeLatin1(slab, clientIp, at);
    slab[at++] = localIp.length;
    at += writeLatin1(slab, localIp, at);
    slab.writeUInt16LE(pathBytes, at);
    at += 2;
    at += slab.utf8Write(applicationPath, at, pathBytes);
    slab.writeUInt32LE(url.length, at);
    at += 4;
    at += writeLatin1(slab, url, at);
    at = this.writeHeaderPairs(rawHeaders, at);
    if (clientCertificate !== null) {
      slab.writeUInt32LE(certificateBytes, at);
      slab.utf8Write(clientCertificate, at + 4, certificateBytes);
    }
  }

  /** RESPONSE_HEAD payload: u16 status, u16+reason, u16 pair count, pairs of (u16+name, u32+value). Flags: ResponseFlags. */
  responseHead(streamId: number, statusCode: number, reason: string, headers: readonly string[], flags = 0, kernelCache: KernelCachePolicy | null = null): void {
    let size = 2 + 2 + reason.length + 2;
    const count = headers.length;
    for (let i = 0; i < count; i += 2) size += 6 + headers[i]!.length + headers[i + 1]!.length;
    if (kernelCache !== null) {
      size += kernelCachePolicySize(kernelCache);
      flags |= ResponseFlags.KernelCacheable;
    }
    let at = this.begin(FrameType.ResponseHead, flags, streamId, size);
    const slab = this.slab;
    slab.writeUInt16LE(statusCode, at);
    slab.writeUInt16LE(reason.length, at + 2);
    at += 4;
    at += writeLatin1(slab, reason, at);
    at = this.writeHeaderPairs(headers, at);
    if (kernelCache !== null) writeKernelCachePolicy(slab, at, kernelCache);
  }

  /** TRAILERS payload: u16 pair count, pairs of (u16+name, u32+value), latin1. */
  trailers(streamId: number, fields: readonly string[]): void {
    let size = 2;
    for (let i = 0; i < fields.length; i += 2) size += 6 + fields[i]!.length + fields[i + 1]!.length;
    this.writeHeaderPairs(fields, this.begin(FrameType.Trailers, 0, streamId, size));
  }

  /** Returns the offset after the pairs. */
  private writeHeaderPairs(headers: readonly string[], at: number): number {
    const slab = this.slab;
    const count = headers.length;
    slab.writeUInt16LE(count >>> 1, at);
    at += 2;
    for (let i = 0; i < count; i += 2) {
      const name = headers[i]!;
      const value = headers[i + 1]!;
      slab.writeUInt16LE(name.length, at);
      at += 2;
      at += writeLatin1(slab, name, at);
      slab.writeUInt32LE(value.length, at);
      at += 4;
      at += writeLatin1(slab, value, at);
    }
    return at;
  }

  // --- data --------------------------------------------------------------------------------------

  /** Body or upgrade bytes; cut into frames of at most MAX_DATA_FRAME_PAYLOAD. The callback runs once written. */
  data(type: FrameType, streamId: number, chunk: Uint8Array, callback?: WriteCallback): void {
    let offset = 0;
    const length = chunk.byteLength;
    while (offset < length) {
      const size = Math.min(length - offset, MAX_DATA_FRAME_PAYLOAD);
      if (size < COPY_LIMIT) {
        const at = this.begin(type, 0, streamId, size);
        this.slab.set(offset === 0 && size === length ? chunk : chunk.subarray(offset, offset + size), at);
      } else {
        this.begin(type, 0, streamId, size, true);
        this.cut();
        const view = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, length);
        this.batch.push(offset === 0 && size === length ? view : view.subarray(offset, offset + size));
      }
      offset += size;
    }
    if (callback) this.callbacks.push(callback);
    this.schedule();
  }

  /** A string body chunk, encoded straight into the slab when it fits. Returns its size in bytes. */
  dataString(type: FrameType, streamId: number, text: string, encoding: BufferEncoding, callback?: WriteCallback): number {
    const bytes = text.length === 0 ? 0 : Buffer.byteLength(text, encoding);
    if (bytes === 0) {
      if (callback) {
        this.callbacks.push(callback);
        this.schedule();
      }
      return 0;
    }
    if (bytes <= MAX_DATA_FRAME_PAYLOAD && bytes <= SLAB_SIZE - FRAME_HEADER_SIZE) {
      const at = this.begin(type, 0, streamId, bytes);
      this.slab.write(text, at, bytes, encoding);
      if (callback) this.callbacks.push(callback);
      return bytes;
    }
    this.data(type, streamId, Buffer.from(text, encoding), callback);
    return bytes;
  }

  /** A callback to run once everything queued so far has been handed to the socket. */
  afterFlush(callback: WriteCallback): void {
    this.callbacks.push(callback);
    this.schedule();
  }

  // --- batching ----------------------------------------------------------------------------------

  /** Writes the frame header and reserves `payloadSize` bytes after it (unless the payload goes separately). */
  private begin(type: number, flags: number, streamId: number, payloadSize: number, headerOnly = false): number {
    const need = FRAME_HEADER_SIZE + (headerOnly ? 0 : payloadSize);
    if (this.position + need > this.slab.length) {
      this.cut();
      this.slab = Buffer.allocUnsafe(Math.max(SLAB_SIZE, need));
      this.segmentStart = 0;
      this.position = 0;
    }
    const slab = this.slab;
    const at = this.position;
    slab.writeUInt32LE(payloadSize, at);
    slab[at + 4] = type;
    slab[at + 5] = flags;
    slab.writeUInt32LE(streamId >>> 0, at + 6);
    this.position = at + need;
    this.schedule();
    return at + FRAME_HEADER_SIZE;
  }

  /** Closes the current slab segment into the batch; the bytes stay owned by the socket until written. */
  private cut(): void {
    if (this.position > this.segmentStart) {
      this.batch.push(this.slab.subarray(this.segmentStart, this.position));
      this.segmentStart = this.position;
    }
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.flushBound);
  }

  /** Hands everything encoded so far to the socket. Runs once per event-loop turn on its own. */
  flush(): void {
    this.scheduled = false;
    this.cut();
    // Reuse the rest of the slab only if enough is left; the written part belongs to the socket now.
    if (this.slab.length - this.position < 4096) {
      this.slab = Buffer.allocUnsafe(SLAB_SIZE);
      this.position = 0;
      this.segmentStart = 0;
    }
    const batch = this.batch;
    const callbacks = this.callbacks;
    if (batch.length === 0 && callbacks.length === 0) return;
    this.batch = [];
    this.callbacks = [];
    const sink = this.sink;
    if (sink.destroyed) return;
    let writable = true;
    if (batch.length === 1) {
      writable = sink.write(batch[0]!);
    } else if (batch.length > 1) {
      sink.cork();
      for (const buffer of batch) writable = sink.write(buffer);
      sink.uncork();
    }
    this.sinkWritable = writable;
    for (const callback of callbacks) callback();
  }
}
