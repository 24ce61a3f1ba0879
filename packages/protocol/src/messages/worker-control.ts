// Worker control: was <-> w3wp over the Node IPC channel was opens when it spawns the worker.
import type { RecycleReason } from '@poolhost/config';
import type { WorkerRequestCounters } from './performance-counters.js';

/** w3wp -> was: attached to its queue in httpsys and loaded its applications. `Starting -> Running`. */
export interface WorkerReady {
  type: 'WorkerReady';
  pid: number;
  /** Requests the worker takes at once (what it declared to httpsys). */
  capacity: number;
}

/** w3wp -> was: the worker cannot start (e.g. an application failed to load). */
export interface WorkerStartupFailed {
  type: 'WorkerStartupFailed';
  message: string;
}

/**
 * w3wp -> was: a recycle condition the worker detects itself was reached; `IsapiUnhealthy` when one of
 * its applications reported itself unhealthy (an entry script that failed to load), with why in `detail`.
 */
export interface WorkerRecycleRequested {
  type: 'WorkerRecycleRequested';
  reason: RecycleReason;
  detail?: string;
  /** An application's entry script failed to load: was defers the replacement (docs/process-model.md). */
  applicationFailedToLoad?: boolean;
}

/** was -> w3wp, request; answered with WorkerHealth. */
export interface PingWorker {
  type: 'PingWorker';
}

export interface WorkerHealth {
  type: 'WorkerHealth';
  requestsServed: number;
  requestsInFlight: number;
  /** The worker's W3SVC_W3WP counters. */
  counters: WorkerRequestCounters;
}

/** was -> w3wp, request: stop taking requests, finish those in flight, exit. Answered with Acknowledged. */
export interface StopWorker {
  type: 'StopWorker';
  reason: string;
  /** ms the worker has before was kills it; long-lived streams are closed before then. */
  shutdownTimeLimit: number;
}

/** was -> w3wp, request; answered with WorkerRequestList. */
export interface ListWorkerRequests {
  type: 'ListWorkerRequests';
}

export interface ExecutingRequest {
  requestId: string;
  siteId: number;
  verb: string;
  url: string;
  clientIp: string;
  /** Pipeline stage name, e.g. `ExecuteRequestHandler`. */
  stage: string;
  module: string;
  elapsedMs: number;
}

export interface WorkerRequestList {
  type: 'WorkerRequestList';
  requests: ExecutingRequest[];
}

export type WorkerControlMessage =
  | WorkerReady
  | WorkerStartupFailed
  | WorkerRecycleRequested
  | PingWorker
  | WorkerHealth
  | StopWorker
  | ListWorkerRequests
  | WorkerRequestList;

/** Each worker-control request and its reply (WorkerReady, WorkerStartupFailed, WorkerRecycleRequested are events). */
export interface WorkerControlReplies {
  PingWorker: WorkerHealth;
  StopWorker: import('./management.js').Acknowledged;
  ListWorkerRequests: WorkerRequestList;
}
