// What a started pool does when one of its workers exits: an ordered list of rules, each keyed on the
// exited worker's role and the reason it ended (in the manner of systemd's Restart= or NGINX Unit's
// processes settings, but small). The pool runs the actions of every rule that applies, in this order,
// and stops as soon as it is no longer Started (rapid-fail protection may disable it midway).
import type { WorkerExitReason } from '../worker-process/worker-exit-reason.js';
import { isFailure } from '../worker-process/worker-exit-reason.js';
import type { WorkerRole } from './worker-role.js';

export type WorkerExitAction =
  /** The standby takes over from a crashed worker: httpsys's StandbyPromoted has not reached was yet. */
  | 'promoteStandby'
  /** Rapid-fail protection counts the failure; it may disable the pool (5002). */
  | 'countFailure'
  /** Demand starts wait failedWorkerRestartDelayMs: a broken start fails once a second at most. */
  | 'delayDemand'
  /** The listener adapters may ask for a worker again (ListenerChannelAvailable). */
  | 'announceListenerChannel'
  /** The last worker of a non-overlapped recycle left: the demand held meanwhile starts one. */
  | 'releaseHeldDemand'
  /** standbyWorker="true": the next standby is started (if the pool has a ready worker and none). */
  | 'startStandby'
  /** startMode="AlwaysRunning": a worker is started again (after failedWorkerRestartDelayMs if this one failed). */
  | 'restartAlwaysRunning';

/** What is known about one exit when the policy is applied. */
export interface WorkerExitFacts {
  role: WorkerRole;
  reason: WorkerExitReason;
  /** It had sent WorkerReady: httpsys had it attached to the queue. */
  attached: boolean;
  /** httpsys already said the standby took its place (StandbyPromoted came before its exit). */
  standbyTookOver: boolean;
  /** It was the last worker a non-overlapped recycle waited for, and a demand was held meanwhile. */
  heldDemandReleased: boolean;
  alwaysRunning: boolean;
}

export interface WorkerExitRule {
  action: WorkerExitAction;
  when(exit: WorkerExitFacts): boolean;
}

/** Counted by rapid-fail protection (5009–5012, the memory limit). */
const failed = (exit: WorkerExitFacts): boolean => isFailure(exit.reason);

/** It failed before it was ready (a broken configuration), or could not be spawned at all. */
export const failedBeforeReady = (exit: WorkerExitFacts): boolean => (failed(exit) && !exit.attached) || exit.reason.kind === 'spawnFailed';

/** Ordered: the standby takes over before the failure is counted, so a pool disabled by it stops the promoted worker too. */
export const workerExitPolicy: readonly WorkerExitRule[] = [
  // httpsys promotes the standby when an attached worker's data connection drops without DETACH: a
  // dispatching worker that failed. A worker that never attached promotes nothing there either.
  // was follows httpsys's StandbyPromoted; this rule is for an exit that reaches was before it.
  { action: 'promoteStandby', when: (exit) => exit.role !== 'standby' && exit.attached && failed(exit) && !exit.standbyTookOver },
  { action: 'countFailure', when: failed },
  { action: 'delayDemand', when: failedBeforeReady },
  { action: 'announceListenerChannel', when: () => true },
  { action: 'releaseHeldDemand', when: (exit) => exit.heldDemandReleased },
  // A worker that failed before it was ready starts no standby: the next worker that is ready does, so a
  // broken start is not retried in a loop by standbys.
  { action: 'startStandby', when: (exit) => !failedBeforeReady(exit) },
  { action: 'restartAlwaysRunning', when: (exit) => exit.alwaysRunning },
];

/** The actions of the rules that apply to `exit`, in order. */
export function workerExitActions(exit: WorkerExitFacts, policy: readonly WorkerExitRule[] = workerExitPolicy): WorkerExitAction[] {
  return policy.filter((rule) => rule.when(exit)).map((rule) => rule.action);
}
