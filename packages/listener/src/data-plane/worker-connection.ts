// httpsys' end of one worker's data connection: ATTACH binds it to its pool's request queue; after that
// it routes frames to the streams (requests) it carries. When the connection dies, its requests are
// retried or failed, never lost silently.
import { startupMark } from '@poolhost/common/startup-trace';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { firstWorkDone } from '@poolhost/common';
import {
  AttachFlags,
  FrameDecoder,
  FrameType,
  FrameWriter,
  ResponseFlags,
  decodeAttach,
  decodeWindowUpdate,
  frameTypeNames,
  type FrameHandler,
} from '@poolhost/protocol';
import type { ListenerRequest, RequestWorker } from '../requests/listener-request.js';
import type { QueueWorker, RequestQueue } from '../request-queue/request-queue.js';
import type { OutputBatch } from './output-batch.js';

export interface WorkerConnectionHost {
  /** The queue a worker of this pool attaches to (created on demand if the pool is not declared yet). */
  queueFor(applicationPool: string): RequestQueue<ListenerRequest>;
  workerAttached(worker: WorkerConnection): void;
  workerGone(worker: WorkerConnection, clean: boolean): void;
  /** The queue handed `lost`'s place to the pool's standby `promoted`: was is told (StandbyPromoted). */
  standbyPromoted(promoted: WorkerConnection, lost: WorkerConnection): void;
  /** Client output produced while a packet of frames is decoded leaves once it is decoded. */
  readonly outputBatch: OutputBatch;
  /** The worker stopped taking requests (recycle, idle shutdown): the kernel cache drops what it stored. */
  workerDetached(worker: WorkerConnection): void;
  /**
   * A RESPONSE_HEAD offered to the kernel cache (KernelCacheable) on a stream that has already ended here:
   * the kernel cache refuses it (REQUEST_ENDED), and says so to a worker that asked for the verdict.
   */
  lateCacheOffer(worker: WorkerConnection, streamId: number, payload: Buffer): void;
}

export class WorkerConnection implements FrameHandler, QueueWorker<ListenerRequest>, RequestWorker {
  readonly writer: FrameWriter;
  private readonly decoder: FrameDecoder;
  pid = 0;
  workerId = '';
  capacity = 0;
  applicationPool = '';
  queue: RequestQueue<ListenerRequest> | null = null;
  detached = false;
  /** Attached as a standby (ATTACH flag): out of dispatch until promoted. */
  standby = false;
  /** Streams counted against capacity (upgraded streams leave this count once answered). */
  inFlight = 0;
  requestsServed = 0;
  private readonly streams = new Map<number, ListenerRequest>();
  private nextStreamId = 1;
  private closed = false;
  /** The chunk being decoded (set around the batch's run, which takes no arguments). */
  private received: Buffer | null = null;
  private logger: Logger;

  constructor(readonly socket: Socket, private readonly host: WorkerConnectionHost, logger: Logger) {
    this.logger = logger;
    this.writer = new FrameWriter(socket);
    this.decoder = new FrameDecoder(this);
    socket.setNoDelay?.(true);
    const decode = (): void => {
      try {
        this.decoder.push(this.received!);
      } catch (error) {
        this.logger.error({ err: error }, 'worker broke the data-plane framing; closing its connection');
        socket.destroy();
      }
    };
    const batch = host.outputBatch;
    socket.on('data', (chunk: Buffer) => {
      this.received = chunk;
      batch.run(decode);
      this.received = null;
    });
    socket.on('drain', () => {
      this.writer.sinkWritable = true;
    });
    socket.on('error', (error) => this.logger.debug({ err: error }, 'worker data connection error'));
    socket.on('close', () => this.onClose());
  }

  forEachStream(visit: (request: ListenerRequest) => void): void {
    for (const request of this.streams.values()) visit(request);
  }

  get streamCount(): number {
    return this.streams.size;
  }

  onFrame(type: number, flags: number, streamId: number, payload: Buffer): void {
    if (streamId !== 0) {
      const request = this.streams.get(streamId);
      if (!request) {
        // A frame for a stream that has already ended on this side goes nowhere; a traced response's head
        // still gets its CacheStoreVerdict, which its worker waits for (kernel-cache.md).
        if (type === FrameType.ResponseHead && flags & ResponseFlags.KernelCacheable) this.host.lateCacheOffer(this, streamId, payload);
        return;
      }
      switch (type) {
        case FrameType.ResponseBody:
        case FrameType.UpgradeData:
          request.onResponseData(payload);
          return;
        case FrameType.ResponseHead:
          request.onResponseHead(payload, flags);
          return;
        case FrameType.Trailers:
          request.onResponseTrailers(payload);
          return;
        case FrameType.ResponseEnd:
          request.onResponseEnd();
          return;
        case FrameType.WindowUpdate:
          request.onWindowUpdate(decodeWindowUpdate(payload));
          return;
        case FrameType.Abort:
          request.onWorkerAbort();
          return;
        default:
          this.protocolError(`unexpected ${frameTypeNames[type] ?? type} frame on stream ${streamId}`);
          return;
      }
    }
    switch (type) {
      case FrameType.Attach:
        this.onAttach(payload, flags);
        return;
      case FrameType.Detach:
        this.onDetach();
        return;
      default:
        this.protocolError(`unexpected ${frameTypeNames[type] ?? type} frame on the connection`);
    }
  }

  private onAttach(payload: Buffer, flags: number): void {
    if (this.queue) return this.protocolError('ATTACH sent twice');
    startupMark('httpsys ATTACH received');
    const attach = decodeAttach(payload);
    if (!attach.applicationPool) {
      this.writer.rejected('ATTACH names no application pool');
      this.writer.flush();
      this.socket.end();
      return;
    }
    this.pid = attach.pid;
    this.workerId = attach.workerId;
    this.capacity = Math.max(1, attach.capacity);
    this.applicationPool = attach.applicationPool;
    this.queue = this.host.queueFor(attach.applicationPool);
    this.writer.empty(FrameType.Attached, 0);
    this.host.workerAttached(this);
    const asked = (flags & AttachFlags.Standby) !== 0;
    // Not a standby while the queue decides: a worker that serves at once takes waiting requests inside attach.
    this.standby = false;
    this.standby = this.queue.attach(this, asked);
    // ATTACHED and what waited for a worker (a demand start's first request) go now, not at the end of the
    // turn, after the logging below.
    this.writer.flush();
    startupMark('httpsys attached (queued requests dispatched)');
    // After the queue has dispatched what waited (a demand start's first request): the child logger is not needed for that.
    this.logger = this.logger.child({ pool: attach.applicationPool, workerPid: attach.pid, workerId: attach.workerId });
    if (this.standby) {
      this.logger.info({ capacity: this.capacity }, `worker ${attach.pid} attached to request queue ${attach.applicationPool} as its standby`);
    } else {
      const role = asked ? ' (started as a standby; the queue has no other worker, so it serves at once)' : '';
      this.logger.info({ capacity: this.capacity }, `worker ${attach.pid} attached to request queue ${attach.applicationPool}${role}`);
    }
  }

  /** The queue promoted this standby: it takes requests from now on, and was is told so (StandbyPromoted). */
  private promoted(lost: WorkerConnection): void {
    this.standby = false;
    this.logger.info(`standby worker ${this.pid} takes over from worker ${lost.pid} in request queue ${this.applicationPool}`);
    this.host.standbyPromoted(this, lost);
  }

  private onDetach(): void {
    if (this.detached) return;
    this.detached = true;
    if (this.standby) this.queue?.dropStandby(this);
    this.logger.info({ inFlight: this.inFlight }, `worker ${this.pid} detached from request queue ${this.applicationPool}`);
    // Echo: from here on no new stream can reach the worker.
    this.writer.empty(FrameType.Detach, 0);
    this.host.workerDetached(this);
    if (this.queue && this.queue.queuedRequests > 0) this.queue.dispatchWaiting();
  }

  /**
   * The queue offers a request (it checked capacity): a stream is opened for it, unless this worker can
   * no longer take one (its connection closed, it detached or is a standby) — then it stays queued.
   */
  offer(request: ListenerRequest): boolean {
    if (this.closed || this.detached || this.standby) return false;
    let streamId = this.nextStreamId++;
    if (this.nextStreamId > 0xffffffff) this.nextStreamId = 1;
    while (this.streams.has(streamId)) streamId = this.nextStreamId++;
    if (!request.dispatch(this, streamId)) return true; // it ended on its way here: nothing to carry
    this.streams.set(streamId, request);
    this.inFlight++;
    // httpsys' part of a demand start has run (a flag test after the first): the code cache is saved a
    // moment later (@poolhost/common's code-cache/).
    firstWorkDone();
    return true;
  }

  /** The worker wrote its first bytes on an upgrade stream: a long-lived stream no longer takes a slot. */
  upgradeAnswered(_request: ListenerRequest): void {
    this.inFlight--;
    this.queue?.dispatchWaiting();
  }

  /** A stream ended (normally or not): frees its slot and lets the queue dispatch the next request. */
  endStream(request: ListenerRequest): void {
    if (!this.streams.delete(request.streamId)) return;
    if (!request.upgraded) this.inFlight--;
    this.requestsServed++;
    if (!this.closed && this.queue && this.queue.queuedRequests > 0) this.queue.dispatchWaiting();
  }

  private protocolError(message: string): void {
    this.logger.error(message);
    this.socket.destroy();
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    const queue = this.queue;
    const orphans = [...this.streams.values()];
    const clean = orphans.length === 0;
    if (queue) {
      // Lost without DETACH (a crash): the standby takes over before the retries below are dispatched.
      const promoted = queue.workerGone(this, !this.detached && !this.standby);
      if (promoted instanceof WorkerConnection) promoted.promoted(this);
    }
    if (orphans.length > 0) {
      this.logger.warn({ requests: orphans.length }, `worker ${this.pid} data connection lost with requests in flight`);
    } else if (this.detached) {
      this.logger.info(`worker ${this.pid} drained and disconnected`);
    } else if (queue) {
      this.logger.warn(`worker ${this.pid} data connection closed without DETACH`);
    }
    const retries: ListenerRequest[] = [];
    for (const request of orphans) {
      if (request.onWorkerLost() === 'retry') retries.push(request);
    }
    this.streams.clear();
    this.inFlight = 0;
    // Retries go back to the front, in their original order.
    for (let i = retries.length - 1; i >= 0; i--) queue!.requeueFront(retries[i]!);
    this.host.workerGone(this, clean);
  }
}
