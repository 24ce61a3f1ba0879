// The worker's end of its data connection to httpsys: ATTACH, then one WorkerStream per REQUEST_HEAD,
// handed to the application the head names (site id + application path); DETACH to drain.
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import {
  createWorkerRequestCounters,
  AttachFlags,
  FrameDecoder,
  FrameType,
  FrameWriter,
  RequestFlags,
  decodeCacheStoreVerdict,
  decodeRejected,
  decodeRequestHead,
  decodeTrailers,
  decodeWindowUpdate,
  frameTypeNames,
  type FrameHandler,
} from '@poolhost/protocol';
import { WorkerStream } from './worker-stream.js';
import type { KernelCacheOffer } from '../modules/http-cache/kernel-cache-offer.js';
import type { ApplicationTable } from '../hosting/application-table.js';

const EMPTY = Buffer.alloc(0);

function rethrow(error: unknown): never {
  throw error;
}

export interface DataConnectionEvents {
  /** The connection to httpsys is gone (the worker cannot serve anything any more). */
  lost(error?: Error): void;
  /** A stream ended; `inFlight` is what is left (drain watches this). */
  streamEnded(inFlight: number): void;
}

export class DataConnection implements FrameHandler {
  readonly writer: FrameWriter;
  private readonly decoder: FrameDecoder;
  readonly streams = new Map<number, WorkerStream>();
  requestsServed = 0;
  /** W3SVC_W3WP: errors by status and WebSocket counters. */
  readonly counters = createWorkerRequestCounters();
  private attachWaiter: { resolve(): void; reject(error: Error): void } | null = null;
  private detachWaiter: (() => void) | null = null;
  detached = false;
  private closing = false;
  /** Offers of traced requests whose CacheStoreVerdict httpsys has still to send, by stream (null: none yet). */
  private cacheStoreVerdicts: Map<number, KernelCacheOffer> | null = null;
  /** Set by ATTACHED: the read that brought it is flushed when its frames have been handled (see the 'data' listener). */
  private flushAtReadEnd = false;

  constructor(
    readonly socket: Socket,
    private readonly applications: ApplicationTable,
    private readonly events: DataConnectionEvents,
    private readonly logger: Logger,
  ) {
    this.writer = new FrameWriter(socket);
    this.decoder = new FrameDecoder(this);
    socket.setNoDelay?.(true);
    socket.on('data', (chunk: Buffer) => {
      try {
        this.decoder.push(chunk);
      } catch (error) {
        this.logger.error({ err: error }, 'httpsys broke the data-plane framing');
        socket.destroy(error as Error);
      }
      // httpsys sends ATTACHED and the requests that waited for a worker (a demand start's first request)
      // in one write. ATTACHED resolves attach(), and the rest of the worker's start runs as promise
      // continuations after this read, before the event-loop turn's flush: the responses the application
      // gave synchronously go now, ahead of them (docs/performance.md, "Demand start without a spare: the
      // wall-clock path"). Once per connection; every later read is flushed once per turn as before.
      if (this.flushAtReadEnd) {
        this.flushAtReadEnd = false;
        this.writer.flush();
      }
    });
    socket.on('error', (error) => this.logger.debug({ err: error }, 'data connection error'));
    socket.on('close', () => {
      const error = new Error('the data connection to httpsys closed');
      this.attachWaiter?.reject(error);
      this.attachWaiter = null;
      this.detachWaiter?.();
      this.detachWaiter = null;
      if (this.cacheStoreVerdicts !== null) for (const offer of this.cacheStoreVerdicts.values()) offer.storeVerdict(null);
      this.cacheStoreVerdicts = null;
      if (!this.closing) this.events.lost(error);
    });
  }

  /** Requests the application is working on (upgraded streams excluded: they are long-lived). */
  get inFlight(): number {
    return this.streams.size - this.upgradedStreams;
  }

  /** Open upgraded streams (kept as a count: inFlight is read after every stream, and must not walk them all). */
  upgradedStreams = 0;

  attach(applicationPool: string, capacity: number, workerId: string, timeoutMs = 10_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.attachWaiter = null;
        reject(new Error(`httpsys did not answer ATTACH within ${timeoutMs} ms`));
      }, timeoutMs);
      this.attachWaiter = {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      // was starts a pool's standby worker (standbyWorker="true") with POOLHOST_STANDBY=1: it attaches, loaded,
      // but httpsys dispatches to it only once a worker of the pool is lost.
      const flags = process.env.POOLHOST_STANDBY === '1' ? AttachFlags.Standby : 0;
      this.writer.attach(process.pid, capacity, applicationPool, workerId, flags);
      // Now, not at the end of this event-loop turn: a demand-started worker's first request waits for it.
      this.writer.flush();
    });
  }

  /** Asks httpsys to stop dispatching; resolves when it confirms that no new stream can arrive. */
  detach(): Promise<void> {
    if (this.detachConfirmed) return this.detachConfirmed;
    if (this.socket.destroyed) return Promise.resolve();
    this.detached = true;
    this.detachConfirmed = new Promise((resolve) => {
      this.detachWaiter = resolve;
      this.writer.empty(FrameType.Detach, 0);
    });
    return this.detachConfirmed;
  }

  private detachConfirmed: Promise<void> | null = null;

  /** Closes the connection on purpose (after draining). */
  close(): Promise<void> {
    this.closing = true;
    this.writer.flush();
    return new Promise((resolve) => {
      if (this.socket.destroyed) return resolve();
      this.socket.once('close', () => resolve());
      this.socket.end();
      setTimeout(() => this.socket.destroy(), 1_000).unref();
    });
  }

  /**
   * Offers still waiting for their CacheStoreVerdict. httpsys answers every offer that asked (ReportStore),
   * also one whose request it had ended before the head arrived (REQUEST_ENDED): none stays past its answer.
   */
  get awaitedCacheStoreVerdicts(): number {
    return this.cacheStoreVerdicts?.size ?? 0;
  }

  /** A traced request's response goes to httpsys offered to its cache: httpsys will say what it did (FREB). */
  awaitCacheStoreVerdict(streamId: number, offer: KernelCacheOffer): void {
    (this.cacheStoreVerdicts ??= new Map()).set(streamId, offer);
  }

  onFrame(type: number, flags: number, streamId: number, payload: Buffer): void {
    if (streamId !== 0) {
      if (type === FrameType.RequestHead) return this.openStream(streamId, flags, payload);
      // Sent as the response ends, so the stream is over here by then.
      if (type === FrameType.CacheStoreVerdict) return this.cacheStoreVerdict(streamId, payload);
      const stream = this.streams.get(streamId);
      if (!stream) return; // the stream already ended here
      switch (type) {
        case FrameType.RequestBody:
        case FrameType.UpgradeData:
          stream.onRequestBody(payload);
          return;
        case FrameType.Trailers:
          stream.onRequestTrailers(decodeTrailers(payload));
          return;
        case FrameType.RequestEnd:
          stream.onRequestEnd();
          return;
        case FrameType.WindowUpdate:
          stream.onWindowUpdate(decodeWindowUpdate(payload));
          return;
        case FrameType.Abort:
          stream.onAbort();
          return;
        default:
          this.logger.warn(`unexpected ${frameTypeNames[type] ?? type} frame on stream ${streamId}`);
          return;
      }
    }
    switch (type) {
      case FrameType.Attached:
        this.flushAtReadEnd = true;
        this.attachWaiter?.resolve();
        this.attachWaiter = null;
        return;
      case FrameType.Rejected:
        this.attachWaiter?.reject(new Error(`httpsys refused the worker: ${decodeRejected(payload)}`));
        this.attachWaiter = null;
        return;
      case FrameType.Detach:
        this.detachWaiter?.();
        this.detachWaiter = null;
        return;
      default:
        this.logger.warn(`unexpected ${frameTypeNames[type] ?? type} frame on the connection`);
    }
  }

  private cacheStoreVerdict(streamId: number, payload: Buffer): void {
    const offer = this.cacheStoreVerdicts?.get(streamId);
    if (offer === undefined) return;
    this.cacheStoreVerdicts!.delete(streamId);
    offer.storeVerdict(decodeCacheStoreVerdict(payload));
  }

  private openStream(streamId: number, flags: number, payload: Buffer): void {
    const head = decodeRequestHead(payload, flags);
    const application = this.applications.find(head.siteId, head.applicationPath);
    const upgrade = (flags & RequestFlags.Upgrade) !== 0 && application !== null && application.acceptsUpgrade();
    const stream = new WorkerStream(this, streamId, head, (flags & RequestFlags.HasBody) !== 0, upgrade, application);
    this.streams.set(streamId, stream);
    if (flags & RequestFlags.Upgrade) {
      this.counters.websocketConnectionAttempts++;
      if (upgrade) this.counters.websocketConnectionsAccepted++;
      else this.counters.websocketConnectionsRejected++;
    }
    if (stream.upgraded) this.upgradedStreams++;
    if (!application) {
      const res = stream.res!;
      res.statusCode = 404;
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.end(`The application ${head.applicationPath} of site ${head.siteId} is not loaded in this worker process.\n`);
      return;
    }
    try {
      if (upgrade) application.upgrade(stream.req, stream.res!, stream.upgradeSocket!, EMPTY);
      else application.handle(stream.req, stream.res!);
    } catch (error) {
      // A throw from a request listener crashes a Node server; here too (after the frames of this chunk).
      process.nextTick(rethrow, error);
    }
  }

  streamEnded(stream: WorkerStream): void {
    if (this.streams.delete(stream.id)) {
      if (stream.upgraded) this.upgradedStreams--;
      this.requestsServed++;
      this.events.streamEnded(this.inFlight);
    }
  }
}
