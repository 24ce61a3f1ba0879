// Application pool states as data (ApplicationPool.GetState: Starting, Started, Stopping, Stopped).
// A pool disabled by rapid-fail protection is Stopped with its reason kept.
import type { Transition } from '@poolhost/common';

export type ApplicationPoolStateName = 'Stopped' | 'Starting' | 'Started' | 'Stopping';

export type ApplicationPoolEvent =
  /** Stopped -> Starting: autoStart at service start, or StartApplicationPool. */
  | 'start'
  /** Starting -> Started: the request queue is enabled. */
  | 'started'
  /** Starting|Started -> Stopping: StopApplicationPool or service shutdown. */
  | 'stop'
  /** Starting|Started -> Stopping: rapid-fail protection tripped (event 5002). */
  | 'disable'
  /** Stopping -> Stopped: the last worker has exited. */
  | 'stopped';

export const applicationPoolTransitions: ReadonlyArray<Transition<ApplicationPoolStateName, ApplicationPoolEvent>> = [
  { from: 'Stopped', event: 'start', to: 'Starting' },
  { from: 'Starting', event: 'started', to: 'Started' },
  { from: ['Starting', 'Started'], event: 'stop', to: 'Stopping' },
  { from: ['Starting', 'Started'], event: 'disable', to: 'Stopping' },
  { from: 'Stopping', event: 'stopped', to: 'Stopped' },
];
