// processModel pinging (reference §8.3): every pingInterval was pings the worker; no WorkerHealth
// within pingResponseTime means it hangs (the caller writes 5010 and kills it).
import { ChannelTimeoutError, type WorkerHealth } from '@poolhost/protocol';
import type { Clock } from '@poolhost/common';
import { PeriodicCheck } from './periodic-check.js';

export interface PingMonitorOptions {
  clock: Clock;
  intervalMs: number;
  responseTimeMs: number;
  ping(timeoutMs: number): Promise<WorkerHealth>;
  healthy(health: WorkerHealth): void;
  unresponsive(): void;
}

export class PingMonitor extends PeriodicCheck {
  constructor(private readonly options: PingMonitorOptions) {
    super(options.clock, options.intervalMs);
  }

  protected run(): void {
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
