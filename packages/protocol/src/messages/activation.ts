// Activation: httpsys notices a queue that needs a worker; w3svc relays the fact to was.

/**
 * httpsys -> w3svc -> was. Sent when a request waits in a queue with no attached worker, or when
 * every attached worker of a web garden is busy and fewer than `maxProcesses` are attached.
 */
export interface WorkerDemanded {
  type: 'WorkerDemanded';
  applicationPool: string;
  reason: 'NoWorker' | 'AllWorkersBusy';
  queuedRequests: number;
  attachedWorkers: number;
}

/** w3svc -> was on (re)connect: asks for the full site configuration and queue states. */
export interface RegisterListenerAdapter {
  type: 'RegisterListenerAdapter';
  pid: number;
}

export type ActivationMessage = WorkerDemanded | RegisterListenerAdapter;

/** Each activation request and its reply: was answers a registration with the whole site configuration. */
export interface ActivationReplies {
  RegisterListenerAdapter: import('./config-plane.js').ApplySiteConfiguration;
}
