// The Node processes of one iisnode application (iisnode's CNodeProcessManager): up to
// nodeProcessCountPerApplication of them, started on demand, requests given round robin to the next
// one with fewer than maxConcurrentRequestsPerProcess in flight (503.1000 when none has room). A
// process that ends is replaced by the next request that needs its slot.
// Recycle (a watched file changed, iisnode.yml changed) is overlapped: a new set of processes starts
// while the current one keeps serving; once every new process listens (or has failed), new requests
// go to the new set and the old processes finish what they have, for up to gracefulShutdownTimeout.
import type { Logger } from 'pino';
import { NodeProcess, type NodeProcessSpec } from './node-process.js';

export interface ProcessSlotSpec {
  count: number;
  maxConcurrentRequests: number;
  gracefulShutdownTimeout: number;
  /** A spec for slot `index` of generation `generation` (its own socket path). */
  spec(generation: number, index: number): NodeProcessSpec;
}

export class NotEnoughQuota extends Error {}

export class NodeProcessManager {
  private slots: Array<NodeProcess | null>;
  private generation = 0;
  private next = 0;
  private recycling: Promise<void> | null = null;
  private recycleAgain = false;
  private closed = false;

  constructor(private settings: ProcessSlotSpec, private readonly logger: Logger) {
    this.slots = new Array<NodeProcess | null>(settings.count).fill(null);
  }

  get processes(): NodeProcess[] {
    return this.slots.filter((process): process is NodeProcess => process !== null);
  }

  get processCount(): number {
    return this.settings.count;
  }

  /** The process for the next request, started if its slot is empty; throws NotEnoughQuota. */
  pick(): NodeProcess {
    const count = this.slots.length;
    for (let tried = 0; tried < count; tried++) {
      const index = (this.next + tried) % count;
      let process = this.slots[index] ?? null;
      if (process === null || process.exited) process = this.slots[index] = this.start(this.generation, index);
      if (process.activeRequests < this.settings.maxConcurrentRequests) {
        this.next = (index + 1) % count;
        return process;
      }
    }
    throw new NotEnoughQuota(`all ${count} node processes have ${this.settings.maxConcurrentRequests} requests in flight (maxConcurrentRequestsPerProcess)`);
  }

  /** Overlapped recycle with (possibly) new settings; a recycle asked for while one runs runs once more after it. */
  recycle(reason: string, settings: ProcessSlotSpec = this.settings): Promise<void> {
    this.settings = settings;
    if (this.recycling) {
      this.recycleAgain = true;
      return this.recycling;
    }
    this.recycling = (async () => {
      do {
        this.recycleAgain = false;
        await this.recycleOnce(reason);
      } while (this.recycleAgain && !this.closed);
      this.recycling = null;
    })();
    return this.recycling;
  }

  private async recycleOnce(reason: string): Promise<void> {
    const generation = ++this.generation;
    if (this.processes.every((process) => process.exited)) {
      // Nothing running: the next request starts the new version (as iisnode, which starts on demand).
      this.slots = new Array<NodeProcess | null>(this.settings.count).fill(null);
      this.next = 0;
      return;
    }
    const replacements = Array.from({ length: this.settings.count }, (_, index) => this.start(generation, index));
    this.logger.info({ reason, pids: replacements.map((process) => process.pid) }, `iisnode recycles the application's node processes (${reason})`);
    await Promise.allSettled(replacements.map((process) => process.ready));
    if (this.closed) {
      for (const process of replacements) process.kill();
      return;
    }
    const retiring = this.processes;
    this.slots = replacements;
    this.next = 0;
    for (const process of retiring) void process.stop(this.settings.gracefulShutdownTimeout);
  }

  close(): void {
    this.closed = true;
    for (const process of this.processes) process.kill();
  }

  private start(generation: number, index: number): NodeProcess {
    const process = new NodeProcess(this.settings.spec(generation, index));
    this.logger.info({ nodePid: process.pid, slot: index }, `started node process ${process.pid} for ${process.spec.entryScript}`);
    process.onceExited(() => this.logger.info({ nodePid: process.pid, status: process.exitStatus }, `node process ${process.pid} ended (${process.exitStatus})`));
    return process;
  }
}
