// processModel pinging (reference §8.3): every pingInterval was pings the worker; no WorkerHealth
// within pingResponseTime means it hangs (the caller writes 5010 and kills it).
import { ChannelTimeoutError, type WorkerHealth } from '@poolhost/protocol';
import type { Clock, TimerHandle } from '@poolhost/common';

export interface PingMonitorOptions {
  clock: Clock;
  intervalMs: number;
  responseTimeMs: number;
  ping(timeoutMs: number): Promise<WorkerHealth>;
  healthy(health: WorkerHealth): void;
  unresponsive(): void;
}

export class PingMonitor {
  private timer: TimerHandle | null = null;
  private running = false;

  constructor(private readonly options: PingMonitorOptions) {}

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

  private schedule(): void {
    this.timer = this.options.clock.setTimeout(() => this.ping(), this.options.intervalMs);
  }

  private ping(): void {
    this.timer = null;
    this.options.ping(this.options.responseTimeMs).then(
      (health) => {
        if (!this.running) return;
        this.options.healthy(health);
        if (this.running) this.schedule();
      },
      (error: unknown) => {
        if (!this.running) return;
        // A closed channel is the exit handler's business, not a hang.
        if (error instanceof ChannelTimeoutError) {
          this.running = false;
          this.options.unresponsive();
        }
      },
    );
  }
}
