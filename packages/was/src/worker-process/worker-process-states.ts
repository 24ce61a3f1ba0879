// Worker process states as data (WorkerProcess.GetState: Starting, Running, Stopping; then exited).
import type { Transition } from '@poolhost/common';

export type WorkerProcessStateName = 'Starting' | 'Running' | 'Stopping' | 'Exited';

export type WorkerProcessEvent =
  /** Starting -> Running: the worker attached to its queue and said WorkerReady. */
  | 'ready'
  /** Starting|Running -> Stopping: was decided to end it (stop, recycle, idle, unhealthy); the reason is kept. */
  | 'stop'
  /** any -> Exited: the process is gone. */
  | 'exit';

export const workerProcessTransitions: ReadonlyArray<Transition<WorkerProcessStateName, WorkerProcessEvent>> = [
  { from: 'Starting', event: 'ready', to: 'Running' },
  { from: ['Starting', 'Running'], event: 'stop', to: 'Stopping' },
  { from: ['Starting', 'Running', 'Stopping'], event: 'exit', to: 'Exited' },
];
