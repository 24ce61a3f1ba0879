// APP_POOL_WAS: the counters WAS keeps per application pool, as plain fields bumped at the moments
// they describe (a worker started, exited, a recycle began); copied out for GetApplicationPoolCounters.
import type { RecycleReason } from '@poolhost/config';
import type { ApplicationPoolCounterSet, ApplicationPoolWasState } from '@poolhost/protocol';
import type { WorkerExitReason } from '../worker-process/worker-exit-reason.js';
import type { ApplicationPoolStateName } from './application-pool-states.js';

export class ApplicationPoolCounters {
  /** When the pool last entered Started (ms), or null while it is not running. */
  startedAt: number | null = null;
  maximumWorkerProcesses = 0;
  lastFailureAt: number | null = null;
  recycles = 0;
  workersCreated = 0;
  failures = 0;
  pingFailures = 0;
  shutdownFailures = 0;
  startupFailures = 0;
  readonly recyclesByReason = new Map<string, number>();
  readonly exitsByReason = new Map<string, number>();

  workerCreated(currentWorkers: number): void {
    this.workersCreated++;
    if (currentWorkers > this.maximumWorkerProcesses) this.maximumWorkerProcesses = currentWorkers;
  }

  recycled(trigger: RecycleReason): void {
    this.recycles++;
    bump(this.recyclesByReason, trigger);
  }

  /** A worker ended: its reason decides which of IIS's failure totals it joins. */
  workerExited(reason: WorkerExitReason, killedAtShutdownTimeLimit: boolean, now: number): void {
    bump(this.exitsByReason, reason.kind);
    if (killedAtShutdownTimeLimit) this.shutdownFailures++;
    switch (reason.kind) {
      case 'crash':
      case 'communicationError':
      case 'memoryLimit':
        this.failures++;
        this.lastFailureAt = now;
        break;
      case 'pingTimeout':
        this.pingFailures++;
        this.lastFailureAt = now;
        break;
      case 'startupFailed':
      case 'startupTimeout':
      case 'spawnFailed':
        this.startupFailures++;
        this.lastFailureAt = now;
        break;
    }
  }

  snapshot(name: string, state: ApplicationPoolStateName, disabled: boolean, currentWorkers: number, recentFailures: number): ApplicationPoolCounterSet {
    return {
      applicationPool: name,
      state: wasState(state, disabled),
      startedAt: this.startedAt === null ? null : new Date(this.startedAt).toISOString(),
      currentWorkerProcesses: currentWorkers,
      maximumWorkerProcesses: this.maximumWorkerProcesses,
      recentWorkerProcessFailures: recentFailures,
      lastWorkerProcessFailureAt: this.lastFailureAt === null ? null : new Date(this.lastFailureAt).toISOString(),
      totalApplicationPoolRecycles: this.recycles,
      totalWorkerProcessesCreated: this.workersCreated,
      totalWorkerProcessFailures: this.failures,
      totalWorkerProcessPingFailures: this.pingFailures,
      totalWorkerProcessShutdownFailures: this.shutdownFailures,
      totalWorkerProcessStartupFailures: this.startupFailures,
      recyclesByReason: Object.fromEntries(this.recyclesByReason),
      workerExitsByReason: Object.fromEntries(this.exitsByReason),
    };
  }
}

/**
 * Current Application Pool State in APP_POOL_WAS' words: Started is Running, Starting is Initialized,
 * Stopping is Shutdown Pending (Disabling when rapid-fail protection stops it), and a stopped pool —
 * by an administrator or by rapid-fail protection — is Disabled, as IIS reports it.
 */
export function wasState(state: ApplicationPoolStateName, disabled: boolean): ApplicationPoolWasState {
  switch (state) {
    case 'Started':
      return 'Running';
    case 'Starting':
      return 'Initialized';
    case 'Stopping':
      return disabled ? 'Disabling' : 'Shutdown Pending';
    case 'Stopped':
      return 'Disabled';
  }
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}
