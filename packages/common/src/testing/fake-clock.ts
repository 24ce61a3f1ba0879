// A clock tests move by hand: timers fire in order, with pending promise callbacks run between them.
import type { Clock, TimerHandle } from '../clock.js';

interface FakeTimer {
  at: number;
  order: number;
  callback: () => void;
  cancelled: boolean;
}

export class FakeClock implements Clock {
  private current = 1_700_000_000_000;
  private order = 0;
  private timers: FakeTimer[] = [];

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    const timer: FakeTimer = { at: this.current + Math.max(0, delayMs), order: this.order++, callback, cancelled: false };
    this.timers.push(timer);
    return { cancel: () => void (timer.cancelled = true) };
  }

  get pendingTimers(): number {
    return this.timers.filter((timer) => !timer.cancelled).length;
  }

  /** Moves time forward by `ms`, firing every timer that falls due. */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    await settle();
    for (;;) {
      const next = this.timers
        .filter((timer) => !timer.cancelled && timer.at <= target)
        .sort((a, b) => a.at - b.at || a.order - b.order)[0];
      if (!next) break;
      this.timers = this.timers.filter((timer) => timer !== next);
      this.current = next.at;
      next.callback();
      await settle();
    }
    this.current = target;
    await settle();
  }
}

/** Lets queued promise callbacks run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
