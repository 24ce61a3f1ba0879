// Why a worker process ended. Decided before the worker is asked to stop or is killed; an exit
// nobody asked for is a crash.
import type { RecycleReason } from '@poolhost/config';

export type WorkerExitReason =
  | { kind: 'crash'; exitCode: number | null; signal: string | null }
  /** The worker exited 75 because its data connection to httpsys closed: httpsys died, not the application. */
  | { kind: 'listenerLost' }
  | { kind: 'startupFailed'; message: string }
  | { kind: 'spawnFailed'; message: string }
  | { kind: 'pingTimeout' }
  | { kind: 'startupTimeout' }
  | { kind: 'communicationError' }
  | { kind: 'recycle'; trigger: RecycleReason }
  | { kind: 'idleTimeout' }
  | { kind: 'adminStop' }
  | { kind: 'rapidFailProtection' }
  | { kind: 'applicationPoolRemoved' }
  | { kind: 'shutdown' }
  /** The kernel's OOM killer ended it inside the pool's cgroup: the pool reached its memoryLimit. */
  | { kind: 'memoryLimit'; limitKb: number }
  /** `<cpu action="KillW3wp">`: the pool used more CPU than its limit over resetInterval. */
  | { kind: 'cpuLimit' };

/** w3wp's exit code when its data connection to httpsys closed (EX_TEMPFAIL). */
export const DATA_CONNECTION_LOST_EXIT_CODE = 75;

/** Exits that count toward rapid-fail protection (IIS: 5009, 5010, 5011, 5012). */
export function isFailure(reason: WorkerExitReason): boolean {
  switch (reason.kind) {
    case 'crash':
    case 'startupFailed':
    case 'pingTimeout':
    case 'startupTimeout':
    case 'communicationError':
    case 'memoryLimit':
      return true;
    default:
      return false;
  }
}

export function describeExitReason(reason: WorkerExitReason): string {
  switch (reason.kind) {
    case 'crash':
      return reason.signal ? `crash (signal ${reason.signal})` : `crash (exit code ${reason.exitCode ?? 'unknown'})`;
    case 'startupFailed':
      return `startup failed: ${reason.message}`;
    case 'spawnFailed':
      return `could not be started: ${reason.message}`;
    case 'pingTimeout':
      return 'ping timeout';
    case 'startupTimeout':
      return 'startup time limit exceeded';
    case 'communicationError':
      return 'fatal communication error';
    case 'recycle':
      return `recycle (${reason.trigger})`;
    case 'idleTimeout':
      return 'idle timeout';
    case 'adminStop':
      return 'application pool stopped by an administrator';
    case 'rapidFailProtection':
      return 'application pool disabled by rapid-fail protection';
    case 'applicationPoolRemoved':
      return 'application pool removed from the configuration';
    case 'shutdown':
      return 'service shutdown';
    case 'listenerLost':
      return 'the data connection to httpsys was lost';
    case 'memoryLimit':
      return `killed at the application pool's memory limit (${reason.limitKb} KB)`;
    case 'cpuLimit':
      return 'the application pool exceeded its CPU limit (KillW3wp)';
  }
}

