// Worker process states as data (WorkerProcess.GetState: Starting, Running, Stopping; then exited).
// Suspended (idleTimeoutAction="Suspend") is a frozen Running worker: still attached to its queue,
// shown as Running, thawed on the next sign of demand.
import type { Transition } from '@poolhost/common';

export type WorkerProcessStateName = 'Starting' | 'Running' | 'Suspended' | 'Stopping' | 'Exited';

export type WorkerProcessEvent =
  /** Starting -> Running: the worker attached to its queue and said WorkerReady. */
  | 'ready'
  /** Running -> Suspended: idle for idleTimeout with idleTimeoutAction Suspend; SIGSTOP. */
  | 'suspend'
  /** Suspended -> Running: a request reached its queue (RequestQueueActive) or a worker was demanded; SIGCONT. */
  | 'resume'
  /** Starting|Running|Suspended -> Stopping: was decided to end it (stop, recycle, idle, unhealthy); the reason is kept. */
  | 'stop'
  /** any -> Exited: the process is gone. */
  | 'exit';

export const workerProcessTransitions: ReadonlyArray<Transition<WorkerProcessStateName, WorkerProcessEvent>> = [
  { from: 'Starting', event: 'ready', to: 'Running' },
  { from: 'Running', event: 'suspend', to: 'Suspended' },
  { from: 'Suspended', event: 'resume', to: 'Running' },
  { from: ['Starting', 'Running', 'Suspended'], event: 'stop', to: 'Stopping' },
  { from: ['Starting', 'Running', 'Suspended', 'Stopping'], event: 'exit', to: 'Exited' },
];

/** States in which the process is alive and was has not decided to end it. */
export const liveStates: ReadonlySet<WorkerProcessStateName> = new Set(['Starting', 'Running', 'Suspended']);
