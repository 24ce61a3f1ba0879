// Activation: httpsys tells was (through w3svc) that a request queue is receiving requests again,
// so was can thaw a worker it suspended for inactivity (idleTimeoutAction="Suspend"). A suspended
// worker stays attached to its queue, so httpsys dispatches to it and never sends WorkerDemanded.

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

export type RequestQueueActivityMessage = RequestQueueActive;
