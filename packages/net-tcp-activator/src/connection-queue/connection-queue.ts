// One pool's net.tcp connection queue: HTTP.SYS's request queue for raw TCP. Accepted connections wait
// here (paused: nothing is read from them) until a worker of the pool is attached, at most queueLength
// of them; each goes to the attached worker with the fewest open connections. The first connection with
// no worker asks was for one (WorkerDemanded), once, until was says it may ask again
// (ListenerChannelAvailable) or a worker attaches. A disabled queue (pool stopped, rapid-fail) refuses
// connections with a reset; a full one closes them at once. Every refusal is counted by reason.
import type { Socket } from 'node:net';
import type { NetTcpRefusalReason, RequestQueueDisabledReason, RequestQueueSettings, WorkerDemanded } from '@poolhost/protocol';
import type { AttachedWorker } from '../data-plane/attached-worker.js';

export interface PendingConnection {
  socket: Socket;
  siteId: number;
  acceptedAt: number;
}

export interface ConnectionQueueLinks {
  demand(message: WorkerDemanded): void;
  /** Relays a connection to a worker; false when the worker could not be reached. */
  relay(worker: AttachedWorker, connection: PendingConnection): Promise<boolean>;
}

export interface ConnectionQueueCounters {
  accepted: number;
  dispatched: number;
  /** Closed at once: the queue held queueLength connections. */
  queueFull: number;
  /** Reset: the pool is stopped or disabled by rapid-fail protection (all of refusedByReason but QueueFull). */
  appOffline: number;
  /** Every refusal by reason (GetNetTcpCounters). */
  refusedByReason: Partial<Record<NetTcpRefusalReason, number>>;
}

export class ConnectionQueue {
  private readonly waiting: PendingConnection[] = [];
  private readonly workers: AttachedWorker[] = [];
  private demanded = false;
  private enabled = true;
  private disabledReason: RequestQueueDisabledReason | undefined;
  /** Why the queue refuses while disabled: AppOffline (stopped), RapidFailProtection, AppShutdown. */
  private refusal: NetTcpRefusalReason = 'AppOffline';
  readonly counters: ConnectionQueueCounters = { accepted: 0, dispatched: 0, queueFull: 0, appOffline: 0, refusedByReason: {} };

  constructor(private settings: RequestQueueSettings, private readonly links: ConnectionQueueLinks) {}

  get name(): string {
    return this.settings.applicationPool;
  }

  get queued(): number {
    return this.waiting.length;
  }

  get attachedWorkers(): readonly AttachedWorker[] {
    return this.workers;
  }

  /** The connections waiting for a worker, for one site (counters; not on the data path). */
  queuedFor(siteId: number): number {
    let queued = 0;
    for (const connection of this.waiting) if (connection.siteId === siteId && !connection.socket.destroyed) queued++;
    return queued;
  }

  get state(): { enabled: boolean; disabledReason?: RequestQueueDisabledReason } {
    return this.enabled ? { enabled: true } : { enabled: false, ...(this.disabledReason ? { disabledReason: this.disabledReason } : {}) };
  }

  configure(settings: RequestQueueSettings): void {
    this.settings = settings;
  }

  /** A connection was accepted on one of the pool's bindings. */
  enqueue(connection: PendingConnection): void {
    this.counters.accepted++;
    if (!this.enabled) {
      this.refuse(this.refusal);
      connection.socket.resetAndDestroy();
      return;
    }
    if (this.waiting.length >= this.settings.queueLength) {
      this.refuse('QueueFull');
      connection.socket.destroy();
      return;
    }
    connection.socket.on('error', () => undefined);
    this.waiting.push(connection);
    this.pump();
  }

  /**
   * Pool started (enabled) or stopped / disabled: a disabled queue resets what it holds. `rapidFail`:
   * rapid-fail protection disabled the pool (was says so beside the AppOffline reason).
   */
  setState(enabled: boolean, reason?: RequestQueueDisabledReason, rapidFail = false): void {
    this.enabled = enabled;
    this.disabledReason = enabled ? undefined : (reason ?? 'Disabled');
    this.refusal = rapidFail ? 'RapidFailProtection' : reason === 'AppShutdown' ? 'AppShutdown' : 'AppOffline';
    if (enabled) return this.pump();
    for (const connection of this.waiting.splice(0)) {
      this.refuse(this.refusal);
      connection.socket.resetAndDestroy();
    }
  }

  attach(worker: AttachedWorker): void {
    this.workers.push(worker);
    this.demanded = false;
    this.pump();
  }

  /** The worker stopped taking connections (detach) or is gone (its channel closed). */
  detach(worker: AttachedWorker): void {
    const index = this.workers.indexOf(worker);
    if (index >= 0) this.workers.splice(index, 1);
    this.pump();
  }

  /** was: a worker of the pool may be asked for again. */
  listenerChannelAvailable(): void {
    this.demanded = false;
    this.pump();
  }

  /** The queue is going away (pool removed from the configuration): its connections are reset. */
  close(): void {
    this.setState(false, 'AppShutdown');
  }

  private pump(): void {
    while (this.waiting.length > 0) {
      const worker = this.leastConnections();
      if (!worker) break;
      const connection = this.waiting.shift()!;
      if (connection.socket.destroyed) continue;
      this.dispatch(worker, connection);
    }
    this.askForWorker();
  }

  private dispatch(worker: AttachedWorker, connection: PendingConnection): void {
    this.counters.dispatched++;
    void this.links.relay(worker, connection).then((relayed) => {
      if (relayed || connection.socket.destroyed) return;
      // The worker could not be reached (it died before its channel closed): nothing is lost, the
      // connection goes back to the head of the queue and the worker takes no more.
      this.counters.dispatched--;
      this.detach(worker);
      if (!this.enabled) {
        this.refuse(this.refusal);
        connection.socket.resetAndDestroy();
        return;
      }
      this.waiting.unshift(connection);
      this.pump();
    });
  }

  private refuse(reason: NetTcpRefusalReason): void {
    if (reason === 'QueueFull') this.counters.queueFull++;
    else this.counters.appOffline++;
    this.counters.refusedByReason[reason] = (this.counters.refusedByReason[reason] ?? 0) + 1;
  }

  private leastConnections(): AttachedWorker | null {
    let best: AttachedWorker | null = null;
    for (const worker of this.workers) {
      if (worker.detached) continue;
      if (!best || worker.openConnections < best.openConnections) best = worker;
    }
    return best;
  }

  private askForWorker(): void {
    if (!this.enabled || this.demanded) return;
    const attached = this.workers.filter((worker) => !worker.detached);
    const noWorker = attached.length === 0 && this.waiting.length > 0;
    // A web garden grows when every attached worker already holds connections.
    const allBusy = attached.length > 0 && attached.length < this.settings.maxProcesses && attached.every((worker) => worker.openConnections > 0);
    if (!noWorker && !allBusy) return;
    this.demanded = true;
    this.links.demand({
      type: 'WorkerDemanded',
      applicationPool: this.name,
      reason: noWorker ? 'NoWorker' : 'AllWorkersBusy',
      queuedRequests: this.waiting.length,
      attachedWorkers: attached.length,
    });
  }
}
