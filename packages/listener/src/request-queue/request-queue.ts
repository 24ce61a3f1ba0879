// One bounded request queue per application pool (HTTP.SYS §7.1). Requests wait here for a worker;
// each is dispatched to the attached worker with the fewest requests in flight, within its capacity.
import { requestQueueActivityIntervalMs, type RequestQueueDisabledReason, type RequestQueueSettings } from '@poolhost/protocol';
import { RequestDeque } from './request-deque.js';
import type { ListenerRequest } from '../requests/listener-request.js';
import type { WorkerConnection } from '../data-plane/worker-connection.js';
import { QueueWaitHistogram } from '../counters/queue-wait-histogram.js';

export type DemandReason = 'NoWorker' | 'AllWorkersBusy';

export interface RequestQueueEvents {
  /** The queue wants a (another) worker; rate limiting is done here. */
  workerDemanded(queue: RequestQueue, reason: DemandReason): void;
  /** A waiting request outlived its site's connectionTimeout (Timer_AppPool). */
  requestExpired(request: ListenerRequest): void;
  /** The queue accepted a request after a quiet spell (throttled here): was thaws a suspended worker. */
  queueActive(queue: RequestQueue): void;
}

/** How often WorkerDemanded may be repeated for one queue while requests keep waiting. */
export const DEMAND_INTERVAL_MS = 250;

export class RequestQueue {
  settings: RequestQueueSettings;
  enabled = true;
  disabledReason: RequestQueueDisabledReason | undefined;
  /** Declared by the last ApplyUrlGroups (a queue created by an early ATTACH is not, until then). */
  declared = false;
  readonly waiting = new RequestDeque<ListenerRequest>();
  /** Waiting requests whose client is still there (cancelled ones are skipped lazily). */
  queued = 0;
  readonly workers: WorkerConnection[] = [];
  private lastDemand: Record<DemandReason, number> = { NoWorker: 0, AllWorkersBusy: 0 };
  private lastActive = 0;
  // HTTP Service Request Queues counters
  requests = 0;
  rejected = 0;
  readonly rejectedByReason = new Map<string, number>();
  retried = 0;
  expired = 0;
  readonly wait = new QueueWaitHistogram();

  constructor(readonly name: string, private readonly events: RequestQueueEvents) {
    this.settings = { applicationPool: name, queueLength: 1000, loadBalancerCapabilities: 'HttpLevel', maxProcesses: 1 };
  }

  /** Accepts a request: dispatched at once, or queued. Returns the HTTPERR reason when it is turned away. */
  submit(request: ListenerRequest): string | null {
    if (!this.enabled) return this.reject(this.disabledReason ?? 'AppOffline');
    this.requests++;
    const now = Date.now();
    if (now - this.lastActive >= requestQueueActivityIntervalMs) {
      this.lastActive = now;
      this.events.queueActive(this);
    }
    if (this.queued === 0) {
      const worker = this.pickWorker();
      if (worker) {
        this.wait.immediate();
        worker.dispatch(request);
        this.checkBusy();
        return null;
      }
    }
    if (this.queued >= this.settings.queueLength) return this.reject('QueueFull');
    request.enqueuedAt = now;
    this.waiting.push(request);
    this.queued++;
    this.checkDemand(request.enqueuedAt);
    return null;
  }

  /** Counts a request turned away (RejectedRequests, by reason) and returns the reason. */
  reject(reason: string): string {
    this.rejected++;
    this.rejectedByReason.set(reason, (this.rejectedByReason.get(reason) ?? 0) + 1);
    return reason;
  }

  /** MaxQueueItemAge: how long the oldest request still waiting has waited (0 when none waits). */
  maxQueueItemAge(now: number): number {
    if (this.queued === 0) return 0;
    const oldest = this.waiting.find((request) => !request.cancelled);
    return oldest ? now - oldest.enqueuedAt : 0;
  }

  /** A request whose worker died before answering goes back to the front, for the next worker. */
  requeueFront(request: ListenerRequest): void {
    this.retried++;
    // The queue timer starts again: the request waits for a worker from now.
    request.enqueuedAt = Date.now();
    this.waiting.unshift(request);
    this.queued++;
    this.dispatchWaiting();
    if (this.queued > 0) this.checkDemand(Date.now());
  }

  /** The client of a waiting request went away. */
  cancel(): void {
    this.queued--;
  }

  /** Hands waiting requests to workers with room; called when a worker attaches or finishes a request. */
  dispatchWaiting(): void {
    let now = 0;
    while (this.queued > 0) {
      const worker = this.pickWorker();
      if (!worker) break;
      const request = this.waiting.shift();
      if (!request) break;
      if (request.cancelled) continue;
      this.queued--;
      if (now === 0) now = Date.now();
      this.wait.waited(now - request.enqueuedAt);
      worker.dispatch(request);
    }
    if (this.waiting.length > 0 && this.queued === 0) this.waiting.retain(() => false);
    this.checkBusy();
  }

  addWorker(worker: WorkerConnection): void {
    this.workers.push(worker);
    this.dispatchWaiting();
  }

  removeWorker(worker: WorkerConnection): void {
    const index = this.workers.indexOf(worker);
    if (index >= 0) this.workers.splice(index, 1);
    if (this.queued > 0) this.checkDemand(Date.now());
  }

  /** Workers that take new requests (attached and not draining). */
  get activeWorkers(): number {
    let count = 0;
    for (const worker of this.workers) if (!worker.detached) count++;
    return count;
  }

  /** Periodic: expires requests that waited longer than their site's connectionTimeout, repeats demand. */
  sweep(now: number): void {
    if (this.queued === 0) {
      if (this.waiting.length > 0) this.waiting.retain(() => false);
      return;
    }
    const expired: ListenerRequest[] = [];
    this.waiting.retain((request) => {
      if (request.cancelled) return false;
      const limit = request.site.connectionTimeout;
      if (limit > 0 && now - request.enqueuedAt >= limit) {
        expired.push(request);
        return false;
      }
      return true;
    });
    if (expired.length > 0) {
      this.queued -= expired.length;
      this.expired += expired.length;
      for (const request of expired) this.events.requestExpired(request);
    }
    if (this.queued > 0) this.checkDemand(now);
  }

  private pickWorker(): WorkerConnection | null {
    let best: WorkerConnection | null = null;
    for (const worker of this.workers) {
      if (worker.detached || worker.inFlight >= worker.capacity) continue;
      if (!best || worker.inFlight < best.inFlight) best = worker;
    }
    return best;
  }

  private checkDemand(now: number): void {
    if (this.activeWorkers === 0) this.demand('NoWorker', now);
    else this.checkBusy(now);
  }

  /** Every attached worker has requests in flight and the web garden may grow: ask for another worker. */
  private checkBusy(now = 0): void {
    const active = this.activeWorkers;
    if (active === 0 || active >= Math.max(1, this.settings.maxProcesses)) return;
    for (const worker of this.workers) if (!worker.detached && worker.inFlight === 0) return;
    this.demand('AllWorkersBusy', now || Date.now());
  }

  private demand(reason: DemandReason, now: number): void {
    if (now - this.lastDemand[reason] < DEMAND_INTERVAL_MS) return;
    this.lastDemand[reason] = now;
    this.events.workerDemanded(this, reason);
  }
}
