// serverRuntime frequentHitThreshold / frequentHitTimePeriod (IHttpUrlInfo::IsFrequentlyHit): a URL is
// frequently hit once it has been requested `threshold` times within `period`, counted from the first
// request of the window (reference iis-2.md §2.2, "≥ N"). Counted per worker, as w3wp does. The table
// is bounded: when it is full it starts over (a URL then needs its threshold again).
import type { Clock } from '@poolhost/common';

const MAX_TRACKED_URLS = 10_000;

export class FrequentHits {
  private readonly windows = new Map<string, { startedAt: number; count: number }>();

  constructor(
    private readonly threshold: number,
    private readonly periodMs: number,
    private readonly clock: Pick<Clock, 'now'>,
  ) {}

  /** Counts a request for `url`; true once it is frequently hit. */
  hit(url: string): boolean {
    if (this.threshold <= 1) return true;
    const now = this.clock.now();
    const window = this.windows.get(url);
    if (window === undefined || now - window.startedAt > this.periodMs) {
      if (window === undefined && this.windows.size >= MAX_TRACKED_URLS) this.windows.clear();
      this.windows.set(url, { startedAt: now, count: 1 });
      return false;
    }
    window.count++;
    return window.count >= this.threshold;
  }
}
