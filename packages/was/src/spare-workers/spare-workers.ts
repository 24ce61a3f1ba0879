// `<applicationPools spareWorkers="N">` (poolhost extension): N w3wp processes kept booted and bound to no
// pool. The next worker start of any pool takes one (SpareWorkerSpawner in spare-worker-spawner.ts) and a
// new spare is started at once. A spare that fails to boot is retried after 1 s, doubling up to 30 s, so a
// broken w3wp never loops; a spare that ends while it waits (httpsys restarted) is replaced.
import type { Clock, Logger, TimerHandle } from '@poolhost/common';
import type { SpareWorker, SpareWorkerSpawner, WorkerExit } from '../worker-process/worker-spawner.js';

const firstRetryMs = 1_000;
/** httpsys' data socket is not there yet (the services start side by side): tried again this soon, not counted as a failure. */
const listenerRetryMs = 250;
const longestRetryMs = 30_000;
/** A spare still alive this long after SIGTERM at shutdown is killed. */
const stopGraceMs = 5_000;

export interface SpareWorkersOptions {
  spawner: SpareWorkerSpawner;
  clock: Clock;
  logger: Logger;
}

type SpareState = 'Booting' | 'Waiting';

interface SpareEntry {
  id: string;
  state: SpareState;
  spare: SpareWorker | null;
}

export class SpareWorkers {
  private wanted = 0;
  private readonly entries = new Set<SpareEntry>();
  private nextId = 1;
  private stopped = false;
  private retryTimer: TimerHandle | null = null;
  private failedBoots = 0;
  /** Spares taken by a worker start since was started. */
  assigned = 0;
  private readonly logger: Logger;

  constructor(private readonly options: SpareWorkersOptions) {
    this.logger = options.logger.child({ component: 'spare-workers' });
  }

  /** How many spares are configured. */
  get configured(): number {
    return this.wanted;
  }

  /** The pids of the spares booted and waiting. */
  get waitingPids(): number[] {
    return [...this.entries].filter((entry) => entry.state === 'Waiting' && entry.spare).map((entry) => entry.spare!.pid);
  }

  /** Sets how many spares are kept: missing ones are started, surplus ones stopped (those still booting first). */
  resize(count: number): void {
    if (this.stopped) return;
    if (count !== this.wanted) this.logger.info({ spareWorkers: count }, `keeping ${count} spare worker process(es)`);
    this.wanted = count;
    const surplus = [...this.entries].sort((a, b) => (a.state === b.state ? 0 : a.state === 'Booting' ? -1 : 1)).slice(0, Math.max(0, this.entries.size - count));
    for (const entry of surplus) {
      this.entries.delete(entry);
      entry.spare?.kill('SIGTERM');
    }
    this.refill();
  }

  /** A booted spare for a worker start, or null (none waiting). Taken spares leave for good; a new one is started at once. */
  take(): SpareWorker | null {
    for (const entry of this.entries) {
      if (entry.state !== 'Waiting' || !entry.spare) continue;
      this.entries.delete(entry);
      this.assigned++;
      this.refill();
      return entry.spare;
    }
    return null;
  }

  /** Shutdown: every spare gets SIGTERM (it has nothing to drain) and SIGKILL after 5 s. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.retryTimer?.cancel();
    this.retryTimer = null;
    const spares = [...this.entries].map((entry) => entry.spare).filter((spare): spare is SpareWorker => spare !== null);
    this.entries.clear();
    await Promise.all(
      spares.map(
        (spare) =>
          new Promise<void>((resolve) => {
            const timer = this.options.clock.setTimeout(() => spare.kill('SIGKILL'), stopGraceMs);
            spare.onExit(() => {
              timer.cancel();
              resolve();
            });
            spare.kill('SIGTERM');
          }),
      ),
    );
  }

  private refill(): void {
    if (this.stopped || this.retryTimer) return;
    while (this.entries.size < this.wanted) this.launch();
  }

  private launch(): void {
    const entry: SpareEntry = { id: `spare-${this.nextId++}`, state: 'Booting', spare: null };
    this.entries.add(entry);
    this.options.spawner.spawnSpare(entry.id).then(
      (spare) => {
        entry.spare = spare;
        if (!this.entries.has(entry)) return spare.kill('SIGTERM');
        spare.onExit((exit) => this.onExit(entry, exit));
        spare.booted.then(
          () => {
            if (!this.entries.has(entry)) return;
            entry.state = 'Waiting';
            this.failedBoots = 0;
            this.logger.info({ workerPid: spare.pid, spareId: entry.id }, `spare worker process ${spare.pid} is booted and waiting for an application pool`);
          },
          () => undefined,
        );
      },
      (error: unknown) => {
        if (!this.entries.delete(entry)) return;
        const code = (error as NodeJS.ErrnoException | null)?.code;
        // poolhost starts its services side by side: httpsys may not listen yet when was starts.
        if (code === 'ENOENT' || code === 'ECONNREFUSED') return this.retryWhenListening(entry);
        this.bootFailed(entry, `could not be started: ${error instanceof Error ? error.message : String(error)}`);
      },
    );
  }

  private onExit(entry: SpareEntry, exit: WorkerExit): void {
    // Taken by a pool, surplus after a resize, or stopped: no longer a spare of this list.
    if (!this.entries.delete(entry)) return;
    const how = exit.signal ? `signal ${exit.signal}` : `exit code ${exit.exitCode}`;
    if (entry.state === 'Booting') return this.bootFailed(entry, `exited before it booted (${how})`);
    this.logger.warn({ workerPid: entry.spare?.pid, spareId: entry.id }, `spare worker process ${entry.spare?.pid} ended while waiting (${how}); starting another`);
    this.refill();
  }

  private retryWhenListening(entry: SpareEntry): void {
    if (this.stopped) return;
    this.logger.debug({ spareId: entry.id }, `spare worker ${entry.id} waits for httpsys to listen`);
    this.retryTimer?.cancel();
    this.retryTimer = this.options.clock.setTimeout(() => {
      this.retryTimer = null;
      this.refill();
    }, listenerRetryMs);
  }

  private bootFailed(entry: SpareEntry, why: string): void {
    if (this.stopped) return;
    this.failedBoots++;
    const retryMs = Math.min(longestRetryMs, firstRetryMs * 2 ** (this.failedBoots - 1));
    this.logger.error({ spareId: entry.id, retryMs }, `spare worker ${entry.id} ${why}; the next spare starts in ${retryMs} ms (worker starts meanwhile are cold)`);
    this.retryTimer?.cancel();
    this.retryTimer = this.options.clock.setTimeout(() => {
      this.retryTimer = null;
      this.refill();
    }, retryMs);
  }
}
