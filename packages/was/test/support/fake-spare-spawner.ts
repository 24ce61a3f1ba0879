// Spare workers without processes: each boots when the test says, exits when told to or killed, and on
// assignment becomes a FakeWorker with the same pid (what the pool's WorkerProcess then drives).
import type { FakeClock } from '@poolhost/common/testing';
import type { SpareWorker, SpareWorkerSpawner, WorkerExit, WorkerSpawnRequest } from '../../src/worker-process/worker-spawner.js';
import { FakeWorker } from './fake-spawner.js';

export class FakeSpare implements SpareWorker {
  readonly booted: Promise<void>;
  readonly signals: NodeJS.Signals[] = [];
  readonly assignments: WorkerSpawnRequest[] = [];
  /** Set to make the next assign() fail (a spare that cannot take the pool's identity). */
  failAssignment: Error | null = null;
  private resolveBoot: () => void = () => undefined;
  private rejectBoot: (error: Error) => void = () => undefined;
  private exitListeners: Array<(exit: WorkerExit) => void> = [];
  private exited: WorkerExit | null = null;

  constructor(readonly pid: number, readonly spareId: string, private readonly clock: FakeClock) {
    this.booted = new Promise((resolve, reject) => {
      this.resolveBoot = resolve;
      this.rejectBoot = reject;
    });
    this.booted.catch(() => undefined);
  }

  boot(): void {
    this.resolveBoot();
  }

  onExit(listener: (exit: WorkerExit) => void): void {
    if (this.exited) listener(this.exited);
    else this.exitListeners.push(listener);
  }

  kill(signal: NodeJS.Signals): void {
    this.signals.push(signal);
    if (signal === 'SIGKILL' || signal === 'SIGTERM') setImmediate(() => this.exit(null, signal));
  }

  exit(exitCode: number | null, signal: NodeJS.Signals | null): void {
    if (this.exited) return;
    this.exited = { exitCode, signal };
    this.rejectBoot(new Error('exited'));
    for (const listener of this.exitListeners.splice(0)) listener(this.exited);
  }

  get hasExited(): boolean {
    return this.exited !== null;
  }

  async assign(request: WorkerSpawnRequest): Promise<FakeWorker> {
    this.assignments.push(request);
    if (this.failAssignment) throw this.failAssignment;
    request.placeProcess?.(this.pid);
    return new FakeWorker(this.pid, request, this.clock);
  }
}

export class FakeSpareSpawner implements SpareWorkerSpawner {
  readonly spares: FakeSpare[] = [];
  private nextPid = 5000;
  failWith: Error | null = null;

  constructor(private readonly clock: FakeClock) {}

  async spawnSpare(spareId: string): Promise<FakeSpare> {
    if (this.failWith) throw this.failWith;
    const spare = new FakeSpare(this.nextPid++, spareId, this.clock);
    this.spares.push(spare);
    return spare;
  }

  alive(): FakeSpare[] {
    return this.spares.filter((spare) => !spare.hasExited);
  }
}
