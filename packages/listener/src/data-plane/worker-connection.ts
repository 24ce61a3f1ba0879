// httpsys' end of one worker's data connection: ATTACH binds it to its pool's request queue; after that
// it routes frames to the streams (requests) it carries. When the connection dies, its requests are
// retried or failed, never lost silently.
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import {
  AttachFlags,
  FrameDecoder,
  FrameType,
  FrameWriter,
  decodeAttach,
  decodeWindowUpdate,
  frameTypeNames,
  type FrameHandler,
} from '@poolhost/protocol';
import { writeResponsesAfter, type ListenerRequest } from '../requests/listener-request.js';
import type { RequestQueue } from '../request-queue/request-queue.js';

export interface WorkerConnectionHost {
  /** The queue a worker of this pool attaches to (created on demand if the pool is not declared yet). */
  queueFor(applicationPool: string): RequestQueue;
  workerAttached(worker: WorkerConnection): void;
  workerGone(worker: WorkerConnection, clean: boolean): void;
  /** The worker stopped taking requests (recycle, idle shutdown): the kernel cache drops what it stored. */
  workerDetached(worker: WorkerConnection): void;
}

/** Standby workers per queue: attached and loaded, not dispatched to until a worker of the pool is lost. */
const standbyWorkers = new WeakMap<RequestQueue, WorkerConnection[]>();

export class WorkerConnection implements FrameHandler {
  readonly writer: FrameWriter;
  private readonly decoder: FrameDecoder;
  pid = 0;
  workerId = '';
  capacity = 0;
  applicationPool = '';
  queue: RequestQueue | null = null;
  detached = false;
  /** Attached as a standby (ATTACH flag): out of dispatch until promoted. */
  standby = false;
  /** Streams counted against capacity (upgraded streams leave this count once answered). */
  inFlight = 0;
  requestsServed = 0;
  private readonly streams = new Map<number, ListenerRequest>();
  private nextStreamId = 1;
  private closed = false;
  /** The chunk being decoded (set around writeResponsesAfter, which takes no arguments). */
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
    socket.on('data', (chunk: Buffer) => {
      this.received = chunk;
      writeResponsesAfter(decode);
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
      if (!request) return; // a frame for a stream that has already ended on this side
      switch (type) {
        case FrameType.ResponseBody:
        case FrameType.UpgradeData:
          request.onResponseData(payload);
          return;
        case FrameType.ResponseHead:
          request.onResponseHead(payload, flags);
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
    this.logger = this.logger.child({ pool: attach.applicationPool, workerPid: attach.pid, workerId: attach.workerId });
    this.queue = this.host.queueFor(attach.applicationPool);
    this.writer.empty(FrameType.Attached, 0);
    this.host.workerAttached(this);
    // A standby stands by for a worker of its queue. With none there — the one it was started for was
    // lost before the standby attached, and was has already promoted it — it serves at once: otherwise
    // the queue would wait forever behind a worker that was counts as serving.
    if (flags & AttachFlags.Standby && this.queue.activeWorkers > 0) {
      this.standby = true;
      this.logger.info({ capacity: this.capacity }, `worker ${attach.pid} attached to request queue ${attach.applicationPool} as its standby`);
      let list = standbyWorkers.get(this.queue);
      if (!list) standbyWorkers.set(this.queue, (list = []));
      list.push(this);
      return;
    }
    const role = flags & AttachFlags.Standby ? ' (started as a standby; the queue has no other worker, so it serves at once)' : '';
    this.logger.info({ capacity: this.capacity }, `worker ${attach.pid} attached to request queue ${attach.applicationPool}${role}`);
    this.queue.addWorker(this);
  }

  private leaveStandby(): void {
    const list = this.queue && standbyWorkers.get(this.queue);
    const index = list ? list.indexOf(this) : -1;
    if (index >= 0) list!.splice(index, 1);
  }

  /** A worker of the pool was lost: its standby (if any) takes requests from now on (was promotes it on its side too). */
  private promoteStandby(queue: RequestQueue): void {
    const standby = standbyWorkers.get(queue)?.shift();
    if (!standby) return;
    standby.standby = false;
    standby.logger.info(`standby worker ${standby.pid} takes over from worker ${this.pid} in request queue ${queue.name}`);
    queue.addWorker(standby);
  }

  private onDetach(): void {
    if (this.detached) return;
    this.detached = true;
    if (this.standby) this.leaveStandby();
    this.logger.info({ inFlight: this.inFlight }, `worker ${this.pid} detached from request queue ${this.applicationPool}`);
    // Echo: from here on no new stream can reach the worker.
    this.writer.empty(FrameType.Detach, 0);
    this.host.workerDetached(this);
    if (this.queue && this.queue.queued > 0) this.queue.dispatchWaiting();
  }

  /** Opens a stream for a request (the queue checked capacity). */
  dispatch(request: ListenerRequest): void {
    let streamId = this.nextStreamId++;
    if (this.nextStreamId > 0xffffffff) this.nextStreamId = 1;
    while (this.streams.has(streamId)) streamId = this.nextStreamId++;
    this.streams.set(streamId, request);
    this.inFlight++;
    request.dispatch(this, streamId);
  }

  /** The worker wrote its first bytes on an upgrade stream: a long-lived stream no longer takes a slot. */
  upgradeAnswered(request: ListenerRequest): void {
    request.upgraded = true;
    this.inFlight--;
    this.queue?.dispatchWaiting();
  }

  /** A stream ended (normally or not): frees its slot and lets the queue dispatch the next request. */
  endStream(request: ListenerRequest): void {
    if (!this.streams.delete(request.streamId)) return;
    if (!request.upgraded) this.inFlight--;
    this.requestsServed++;
    if (!this.closed && this.queue && this.queue.queued > 0) this.queue.dispatchWaiting();
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
    if (this.standby) this.leaveStandby();
    else if (queue) {
      queue.removeWorker(this);
      // Lost without DETACH (a crash): the standby takes over before the retries below are dispatched.
      if (!this.detached) this.promoteStandby(queue);
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
