// One bounded request queue per application pool (HTTP.SYS §7.1). Requests wait here for a worker;
// each is offered to the attached worker with the fewest requests in flight, within its capacity. The
// queue alone owns its waiting list, its counters and its pool's standby workers: others submit,
// withdraw and read snapshots. A worker takes an offered request or refuses it; a refused request stays
// at the front for the next worker (Node's lib/internal/cluster/round_robin_handle.js re-distributes a
// refused handle the same way).
import {
  requestQueueActivityIntervalMs,
  type RequestQueueCounterSet,
  type RequestQueueDisabledReason,
  type RequestQueueSettings,
} from '@poolhost/protocol';
import { RequestDeque } from './request-deque.js';
import { QueueWaitHistogram } from '../counters/queue-wait-histogram.js';

export type DemandReason = 'NoWorker' | 'AllWorkersBusy';

/** What the queue needs of a request. */
export interface QueueableRequest {
  /** Its client left while it waited: it is skipped (and no longer counted) when its turn comes. */
  readonly cancelled: boolean;
  /** Timer_AppPool: how long it may wait for a worker, in ms (its site's connectionTimeout; 0: no limit). */
  readonly queueTimeout: number;
}

/** What the queue needs of a worker (httpsys' end of its data connection). */
export interface QueueWorker<R> {
  readonly capacity: number;
  readonly inFlight: number;
  /** Sent DETACH: it takes nothing new. */
  readonly detached: boolean;
  /** Takes the request (true) or refuses it (false: the queue offers it to another worker). */
  offer(request: R): boolean;
}

export interface RequestQueueEvents<R extends QueueableRequest> {
  /** The queue wants a (another) worker; rate limiting is done here. */
  workerDemanded(queue: RequestQueue<R>, reason: DemandReason): void;
  /** A waiting request outlived its site's connectionTimeout (Timer_AppPool). */
  requestExpired(request: R): void;
  /** The queue accepted a request after a quiet spell (throttled here): was thaws a suspended worker. */
  queueActive(queue: RequestQueue<R>): void;
}

/** How often WorkerDemanded may be repeated for one queue while requests keep waiting. */
export const DEMAND_INTERVAL_MS = 250;

export class RequestQueue<R extends QueueableRequest> {
  settings: RequestQueueSettings;
  /** Declared by the last ApplyUrlGroups (a queue created by an early ATTACH is not, until then). */
  declared = false;
  private enabledState = true;
  private disabled: RequestQueueDisabledReason | undefined;
  private readonly waiting = new RequestDeque<R>();
  /** Waiting requests whose client is still there (cancelled ones are skipped lazily). */
  private queued = 0;
  private readonly workers: QueueWorker<R>[] = [];
  /** Attached and loaded, not offered requests until a worker of the pool is lost. */
  private readonly standbys: QueueWorker<R>[] = [];
  private readonly lastDemand: Record<DemandReason, number> = { NoWorker: 0, AllWorkersBusy: 0 };
  private lastActive = 0;
  // HTTP Service Request Queues counters
  /** ArrivalRate (raw): every submit, once, whatever becomes of the request. */
  private arrivals = 0;
  private rejected = 0;
  private readonly rejectedByReason = new Map<string, number>();
  private retried = 0;
  private expired = 0;
  private readonly wait = new QueueWaitHistogram();

  constructor(readonly name: string, private readonly events: RequestQueueEvents<R>) {
    this.settings = { applicationPool: name, queueLength: 1000, loadBalancerCapabilities: 'HttpLevel', maxProcesses: 1 };
  }

  get enabled(): boolean {
    return this.enabledState;
  }

  get disabledReason(): RequestQueueDisabledReason | undefined {
    return this.disabled;
  }

  /** Requests waiting for a worker (CurrentQueueSize). */
  get queuedRequests(): number {
    return this.queued;
  }

  /** Workers attached, standbys included: a queue with none may be forgotten once undeclared. */
  get attachedWorkers(): number {
    return this.workers.length + this.standbys.length;
  }

  /** Workers that take new requests (attached, not standby, not draining). */
  get activeWorkers(): number {
    let count = 0;
    for (const worker of this.workers) if (!worker.detached) count++;
    return count;
  }

  /**
   * Enables or disables the queue (was' RequestQueueState). Disabling returns the requests that were
   * waiting, already counted as rejected with the reason: the caller answers each (503 for HttpLevel).
   */
  setEnabled(enabled: boolean, reason: RequestQueueDisabledReason | undefined): R[] {
    this.enabledState = enabled;
    this.disabled = enabled ? undefined : (reason ?? 'AppOffline');
    if (enabled) {
      this.dispatchWaiting();
      return [];
    }
    return this.rejectWaiting(this.disabled!);
  }

  /** Every request still waiting leaves the queue, counted as rejected with `reason`, for the caller to answer. */
  rejectWaiting(reason: string): R[] {
    const waiting: R[] = [];
    this.waiting.retain((request) => {
      if (!request.cancelled) waiting.push(request);
      return false;
    });
    this.queued = 0;
    for (let i = 0; i < waiting.length; i++) this.reject(reason);
    return waiting;
  }

  /** Accepts a request: dispatched at once, or queued. Returns the HTTPERR reason when it is turned away. */
  submit(request: R): string | null {
    this.arrivals++;
    if (!this.enabledState) return this.reject(this.disabled ?? 'AppOffline');
    const now = Date.now();
    const announce = now - this.lastActive >= requestQueueActivityIntervalMs;
    if (announce) this.lastActive = now;
    const refused = this.place(request, now);
    // Announced once the request is placed: a demand start's WorkerDemanded goes out first, so w3svc and
    // was handle it before this (was's demand thaws a suspended worker too; docs/performance.md, "Demand
    // start without a spare: the wall-clock path").
    if (announce) this.events.queueActive(this);
    return refused;
  }

  /** Dispatched at once, queued (asking for a worker when none is attached), or refused: QueueFull. */
  private place(request: R, now: number): string | null {
    if (this.queued === 0) {
      const worker = this.pickWorker(null);
      if (worker && worker.offer(request)) {
        this.wait.immediate();
        this.checkBusy();
        return null;
      }
    }
    if (this.queued >= this.settings.queueLength) return this.reject('QueueFull');
    this.waiting.push(request, now);
    this.queued++;
    this.checkDemand(now);
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
    const oldest = this.waiting.findTime((request) => !request.cancelled);
    return oldest < 0 ? 0 : now - oldest;
  }

  /** A request whose worker died before answering goes back to the front, for the next worker. */
  requeueFront(request: R): void {
    this.retried++;
    // The queue timer starts again: the request waits for a worker from now.
    const now = Date.now();
    this.waiting.unshift(request, now);
    this.queued++;
    this.dispatchWaiting();
    if (this.queued > 0) this.checkDemand(now);
  }

  /** A waiting request's client went away (the request marked itself cancelled). */
  withdraw(): void {
    this.queued--;
  }

  /** Offers waiting requests to workers with room; called when a worker attaches or finishes a request. */
  dispatchWaiting(): void {
    let now = 0;
    let refused: QueueWorker<R>[] | null = null;
    while (this.queued > 0) {
      const worker = this.pickWorker(refused);
      if (!worker) break;
      const queuedAt = this.waiting.frontTime();
      const request = this.waiting.shift();
      if (!request) break;
      if (request.cancelled) continue;
      if (!worker.offer(request)) {
        this.waiting.unshift(request, queuedAt);
        (refused ??= []).push(worker);
        continue;
      }
      this.queued--;
      if (now === 0) now = Date.now();
      this.wait.waited(now - queuedAt);
    }
    if (this.waiting.length > 0 && this.queued === 0) this.waiting.retain(() => false);
    this.checkBusy();
  }

  /**
   * A worker attached: as one that takes requests, or as the pool's standby. Returns true when it is kept
   * as a standby. A standby stands by for a worker of this queue: with none there — the one it was started
   * for was lost before it attached, and was has already promoted it — it serves at once, or the queue
   * would wait forever behind a worker was counts as serving.
   */
  attach(worker: QueueWorker<R>, standby: boolean): boolean {
    if (standby && this.activeWorkers > 0) {
      this.standbys.push(worker);
      return true;
    }
    this.workers.push(worker);
    this.dispatchWaiting();
    return false;
  }

  /** A standby worker drains (DETACH) before it was ever promoted. */
  dropStandby(worker: QueueWorker<R>): void {
    const index = this.standbys.indexOf(worker);
    if (index >= 0) this.standbys.splice(index, 1);
  }

  /**
   * A worker's data connection closed. A worker lost without DETACH (a crash) is replaced at once by the
   * pool's standby, if it has one; the standby promoted is returned (its connection tells was: StandbyPromoted).
   */
  workerGone(worker: QueueWorker<R>, crashed: boolean): QueueWorker<R> | null {
    const standbyIndex = this.standbys.indexOf(worker);
    if (standbyIndex >= 0) {
      this.standbys.splice(standbyIndex, 1);
      return null;
    }
    const index = this.workers.indexOf(worker);
    if (index >= 0) this.workers.splice(index, 1);
    const promoted = crashed ? (this.standbys.shift() ?? null) : null;
    if (promoted) this.attach(promoted, false);
    if (this.queued > 0) this.checkDemand(Date.now());
    return promoted;
  }

  /** Periodic: expires requests that waited longer than their site's connectionTimeout, repeats demand. */
  sweep(now: number): void {
    if (this.queued === 0) {
      if (this.waiting.length > 0) this.waiting.retain(() => false);
      return;
    }
    let expired: R[] | null = null;
    this.waiting.retain((request, queuedAt) => {
      if (request.cancelled) return false;
      const limit = request.queueTimeout;
      if (limit > 0 && now - queuedAt >= limit) {
        (expired ??= []).push(request);
        return false;
      }
      return true;
    });
    if (expired !== null) {
      const list: R[] = expired;
      this.queued -= list.length;
      this.expired += list.length;
      for (const request of list) this.events.requestExpired(request);
    }
    if (this.queued > 0) this.checkDemand(now);
  }

  /** HTTP Service Request Queues counters, copied for GetListenerCounters. */
  /** `cacheHits`: this queue's kernel cache hits (CacheHitRate), which httpsys answered without the queue. */
  snapshot(now: number, cacheHits = 0): RequestQueueCounterSet {
    return {
      applicationPool: this.name,
      enabled: this.enabledState,
      currentQueueSize: this.queued,
      maxQueueItemAgeMs: this.maxQueueItemAge(now),
      arrivals: this.arrivals,
      rejectedRequests: this.rejected,
      rejectedByReason: Object.fromEntries(this.rejectedByReason),
      retried: this.retried,
      cacheHits,
      expired: this.expired,
      attachedWorkers: this.activeWorkers,
      requestsInFlight: this.requestsInFlight,
      workerCapacity: this.workerCapacity,
      queueLength: this.settings.queueLength,
      maxProcesses: this.settings.maxProcesses,
      queueWaitBuckets: [...this.wait.buckets],
      queueWaitSumMs: this.wait.sumMs,
    };
  }

  /** Requests on this queue's workers (RequestsInFlight). */
  get requestsInFlight(): number {
    let count = 0;
    for (const worker of this.workers) count += worker.inFlight;
    return count;
  }

  /** Requests the workers taking new requests accept at once. */
  get workerCapacity(): number {
    let capacity = 0;
    for (const worker of this.workers) if (!worker.detached) capacity += worker.capacity;
    return capacity;
  }

  private pickWorker(refused: QueueWorker<R>[] | null): QueueWorker<R> | null {
    let best: QueueWorker<R> | null = null;
    for (const worker of this.workers) {
      if (worker.detached || worker.inFlight >= worker.capacity) continue;
      if (refused !== null && refused.includes(worker)) continue;
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
