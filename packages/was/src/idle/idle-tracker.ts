// processModel@idleTimeout: a worker is idle when it has served nothing new and has nothing in
// flight for idleTimeout. Activity is seen in the counters the worker reports (WorkerHealth), sampled
// often enough that the shutdown comes within about 1/60 of idleTimeout of the last request.

export interface ActivityCounters {
  requestsServed: number;
  requestsInFlight: number;
}

/** How often counters are sampled for idle detection: idleTimeout/60, between 1 s and 30 s. */
export function idleSamplingIntervalMs(idleTimeoutMs: number): number {
  return Math.min(30_000, Math.max(1_000, Math.floor(idleTimeoutMs / 60)));
}

export class IdleTracker {
  private lastActivity: number;
  private lastServed = 0;

  constructor(private readonly idleTimeoutMs: number, now: number) {
    this.lastActivity = now;
  }

  get enabled(): boolean {
    return this.idleTimeoutMs > 0;
  }

  /** A request counted since the last sample, or one in flight, is activity. */
  observe(counters: ActivityCounters, now: number): void {
    if (counters.requestsInFlight > 0 || counters.requestsServed !== this.lastServed) this.lastActivity = now;
    this.lastServed = counters.requestsServed;
  }

  /** Activity seen another way (ready, thawed). */
  touch(now: number): void {
    this.lastActivity = now;
  }

  isIdle(now: number): boolean {
    return this.enabled && now - this.lastActivity >= this.idleTimeoutMs;
  }
}
