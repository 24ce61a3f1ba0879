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

/**
 * w3wp -> was: a spare worker (started with POOLHOST_SPARE=1; `<applicationPools spareWorkers>`) has booted —
 * Node and the w3wp bundle loaded, its data connection to httpsys open — and waits for a pool.
 */
export interface SpareWorkerReady {
  type: 'SpareWorkerReady';
  pid: number;
}

/** The Linux identity a spare takes on assignment (SpecificUser pools when was runs as root). */
export interface SpareWorkerIdentity {
  uid: number;
  gid: number;
  userName: string;
}

/**
 * was -> spare w3wp, request: become a worker of `applicationPool`, once and for the rest of its life. The
 * spare drops to `identity` (supplementary groups cleared, then gid, then uid — what a cold start's spawn
 * does) and checks it, sets `environment` and `arguments` exactly as a cold start would have had them, and
 * only then reads the pool's configuration and loads its applications. Answered with SpareWorkerAssigned
 * before any application code runs; an error reply (the identity could not be taken) ends the spare.
 */
export interface AssignSpareWorker {
  type: 'AssignSpareWorker';
  applicationPool: string;
  workerId: string;
  /** The w3wp arguments of a cold start (`-ap <pool> -h <pool>.config`). */
  arguments: string[];
  /** Set on top of the spare's environment (which is was's, as a cold start's); POOLHOST_SPARE is removed. */
  environment: Record<string, string>;
  identity?: SpareWorkerIdentity;
}

/** The credentials the assigned worker runs with, read back from /proc for every one of its threads. */
export interface SpareWorkerAssigned {
  type: 'SpareWorkerAssigned';
  uid: number;
  gid: number;
  groups: number[];
}

export type WorkerControlMessage =
  | SpareWorkerReady
  | AssignSpareWorker
  | SpareWorkerAssigned
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
  AssignSpareWorker: SpareWorkerAssigned;
  PingWorker: WorkerHealth;
  StopWorker: import('./management.js').Acknowledged;
  ListWorkerRequests: WorkerRequestList;
}
