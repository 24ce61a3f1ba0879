// Activation: httpsys tells was (through w3svc) that a request queue is receiving requests again,
// so was can thaw a worker it suspended for inactivity (idleTimeoutAction="Suspend"). A suspended
// worker stays attached to its queue, so httpsys dispatches to it and never sends WorkerDemanded.
// And that it handed a queue to the pool's standby worker after a crash (StandbyPromoted).

/**
 * httpsys -> w3svc -> was, event. httpsys sends it when it accepts a request into a queue (dispatched
 * at once or queued; not when turned away with a 503) and it has not sent one for that queue in the
 * last `requestQueueActivityIntervalMs`. So the first request after a quiet second always announces
 * itself, and a busy queue costs at most one message a second.
 */
export interface RequestQueueActive {
  type: 'RequestQueueActive';
  applicationPool: string;
}

/** The throttle of RequestQueueActive, per queue. */
export const requestQueueActivityIntervalMs = 1_000;

/**
 * httpsys -> w3svc -> was, event. A worker dispatching from the pool's queue lost its data connection
 * without DETACH (it crashed, or was killed as hung), and httpsys handed the queue to the pool's standby
 * (standbyWorker="true", poolhost extension) at once. httpsys decides the promotion — it is the one that
 * dispatches — and was follows it: the standby becomes an active worker and the next standby starts.
 */
export interface StandbyPromoted {
  type: 'StandbyPromoted';
  applicationPool: string;
  /** The standby that now takes requests. */
  pid: number;
  workerId: string;
  /** The worker whose connection dropped. */
  crashedPid: number;
  crashedWorkerId: string;
}

export type RequestQueueActivityMessage = RequestQueueActive | StandbyPromoted;
