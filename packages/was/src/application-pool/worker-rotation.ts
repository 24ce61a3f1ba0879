// Recycling as a rotation of workers (reference §8.5).
// Overlapped (default): each old worker is paired with a replacement that starts first; when the
// replacement says WorkerReady the old one gets StopWorker (it detaches from its queue, finishes what
// it has in flight, exits — or is killed at shutdownTimeLimit). A replacement that never becomes
// ready leaves the old worker serving (5093): it is never stopped on a timer alone.
// disallowOverlappingRotation: the old workers stop first while requests wait in the queue; the
// new worker starts once they have exited (on the demand held meanwhile, or AlwaysRunning).
// The rotation owns the sequencing (which replacement stands for which old worker, which old workers
// must exit before new ones start); the roles it changes are the pool's (worker-role.ts).
import type { RecycleReason } from '@poolhost/config';
import type { WorkerProcess } from '../worker-process/worker-process.js';
import type { WorkerRole } from './worker-role.js';

export interface WorkerRotationHost {
  startWorker(why: string, role: WorkerRole): WorkerProcess;
  roleOf(worker: WorkerProcess): WorkerRole | undefined;
  assignRole(worker: WorkerProcess, role: WorkerRole): void;
  /** 5093: the replacement for `old` did not become ready. */
  failedToOverlap(old: WorkerProcess): void;
}

export class WorkerRotation {
  /** Replacement -> the worker it replaces and why. */
  private readonly replacements = new Map<WorkerProcess, { old: WorkerProcess; trigger: RecycleReason }>();
  /** Old workers stopping before new workers may start (disallowOverlappingRotation). */
  private readonly stoppingFirst = new Set<WorkerProcess>();
  private demandHeld = false;

  constructor(private readonly host: WorkerRotationHost) {}

  /** A worker that is already being replaced or stopped by a rotation is not rotated again. */
  isRotating(worker: WorkerProcess): boolean {
    return this.host.roleOf(worker) === 'retiring';
  }

  /** While old workers of a non-overlapped rotation drain, new ones wait. */
  get holdsNewWorkers(): boolean {
    return this.stoppingFirst.size > 0;
  }

  /** Overlapped: replacements are starting (the workers they replace still serve). */
  get replacesWorkers(): boolean {
    return this.replacements.size > 0;
  }

  /** A demand arrived while new workers wait; one is started when the old ones have exited. */
  holdDemand(): void {
    this.demandHeld = true;
  }

  /**
   * Overlapped: the first `maxReplacements` targets get a replacement each; the rest (a web garden
   * shrunk by a maxProcesses change) are stopped at once, while their paired siblings keep serving.
   */
  rotate(targets: WorkerProcess[], trigger: RecycleReason, overlapped: boolean, maxReplacements: number): void {
    targets.forEach((old, index) => {
      this.host.assignRole(old, 'retiring');
      if (!overlapped) {
        this.stoppingFirst.add(old);
        void old.stop({ kind: 'recycle', trigger });
        return;
      }
      if (index >= maxReplacements) {
        void old.stop({ kind: 'recycle', trigger });
        return;
      }
      const replacement = this.host.startWorker(`recycle (${trigger}) of worker ${old.pid}`, 'replacement');
      this.replacements.set(replacement, { old, trigger });
    });
  }

  /** The replacement is attached and ready: it serves, and the old worker stops taking requests and drains. */
  workerReady(worker: WorkerProcess): void {
    const pair = this.replacements.get(worker);
    if (!pair) return;
    this.replacements.delete(worker);
    this.host.assignRole(worker, 'active');
    void pair.old.stop({ kind: 'recycle', trigger: pair.trigger });
  }

  /** Returns true when a held demand should now start a worker. */
  workerExited(worker: WorkerProcess): boolean {
    const pair = this.replacements.get(worker);
    if (pair) {
      this.replacements.delete(worker);
      // The old worker keeps serving; it is recycled again on its next trigger.
      if (pair.old.active) {
        this.host.assignRole(pair.old, 'active');
        this.host.failedToOverlap(pair.old);
      }
    }
    // The old worker left before its replacement was ready: the replacement serves once it is.
    for (const [replacement, replaced] of this.replacements) {
      if (replaced.old !== worker) continue;
      this.replacements.delete(replacement);
      this.host.assignRole(replacement, 'active');
    }
    if (this.stoppingFirst.delete(worker) && this.stoppingFirst.size === 0 && this.demandHeld) {
      this.demandHeld = false;
      return true;
    }
    return false;
  }

  clear(): void {
    this.stoppingFirst.clear();
    this.demandHeld = false;
  }
}
