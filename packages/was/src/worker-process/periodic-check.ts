// A check that runs every `intervalMs` on the pool's clock until stopped; the next run is scheduled
// only once the current one has finished (a slow ping never overlaps the next).
import type { Clock, TimerHandle } from '@poolhost/common';

export abstract class PeriodicCheck {
  private timer: TimerHandle | null = null;
  protected running = false;

  constructor(private readonly clock: Clock, private readonly intervalMs: number) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule();
  }

  stop(): void {
    this.running = false;
    this.timer?.cancel();
    this.timer = null;
  }

  protected schedule(): void {
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.run();
    }, this.intervalMs);
  }

  /** One run; call `schedule()` when it is over if the check should go on. */
  protected abstract run(): void;
}
