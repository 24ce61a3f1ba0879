// Samples a running worker between pings, for what pings are too coarse for: idle detection,
// periodicRestart@requests (counters over the control channel) and @memory/@privateMemory (/proc). A sample that
// fails is skipped: hangs are the ping monitor's business.
import type { WorkerHealth } from '@poolhost/protocol';
import type { Clock } from '@poolhost/common';
import { PeriodicCheck } from './periodic-check.js';
import type { MemorySample } from '../recycling/memory-sampler.js';

export interface SamplingMonitorOptions {
  clock: Clock;
  intervalMs: number;
  /** Set when counters are needed. */
  probeCounters?: () => Promise<WorkerHealth>;
  /** Set when memory is needed. */
  sampleMemory?: () => Promise<MemorySample>;
  counters(health: WorkerHealth): void;
  memory(sample: MemorySample): void;
}

export class SamplingMonitor extends PeriodicCheck {
  constructor(private readonly options: SamplingMonitorOptions) {
    super(options.clock, options.intervalMs);
  }

  protected run(): void {
    void this.sample();
  }

  private async sample(): Promise<void> {
    const { probeCounters, sampleMemory } = this.options;
    const [health, memory] = await Promise.all([
      probeCounters ? probeCounters().catch(() => null) : null,
      sampleMemory ? sampleMemory().catch(() => null) : null,
    ]);
    if (this.running && health) this.options.counters(health);
    if (this.running && memory) this.options.memory(memory);
    if (this.running) this.schedule();
  }
}
