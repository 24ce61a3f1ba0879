// Activation: the listener adapter contract between was and every adapter (w3svc for http, the net.tcp
// activator for net.tcp), after WAS's WebhostRegisterProtocol / WebhostOpenListenerChannelInstance
// (iis-2.md §4). An adapter registers for one protocol, gets the sites, applications and bindings of that
// protocol (ApplySiteConfiguration) and every change, asks for a worker for a pool (WorkerDemanded) and
// learns when it may ask again (ListenerChannelAvailable).

/** The protocols a listener adapter may register for (`https` bindings belong to `http`). */
export type ListenerAdapterProtocol = 'http' | 'net.tcp';

/**
 * adapter -> was (httpsys -> w3svc -> was for http): "open a listener channel". Sent when work waits for a
 * pool with no attached worker, or when every attached worker of a web garden is busy and fewer than
 * `maxProcesses` are attached.
 */
export interface WorkerDemanded {
  type: 'WorkerDemanded';
  applicationPool: string;
  reason: 'NoWorker' | 'AllWorkersBusy';
  queuedRequests: number;
  attachedWorkers: number;
}

/**
 * adapter -> was on (re)connect: registers for `protocol` (a second registration of a protocol while the
 * first is connected is refused, as WebhostRegisterProtocol's ERROR_ALREADY_EXISTS) and asks for the site
 * configuration of that protocol and the queue states.
 */
export interface RegisterListenerAdapter {
  type: 'RegisterListenerAdapter';
  pid: number;
  protocol: ListenerAdapterProtocol;
}

/**
 * was -> every adapter: a pool may be asked for a worker again (WAS's
 * APPLICATION_POOL_CAN_OPEN_NEW_LISTENER_CHANNEL_INSTANCE): a worker of it exited (crash, idle-out,
 * recycle) or became ready (a web garden may have room for one more).
 */
export interface ListenerChannelAvailable {
  type: 'ListenerChannelAvailable';
  applicationPool: string;
}

/**
 * was -> poolhost (on was's IPC channel), after every configuration change was applies: the listener
 * adapters the configuration now needs (listenerAdaptersToStart). poolhost starts the net.tcp activator
 * when `net.tcp` appears and stops it when it goes, without a restart.
 */
export interface ListenerAdaptersRequired {
  type: 'ListenerAdaptersRequired';
  protocols: ListenerAdapterProtocol[];
}

export type ActivationMessage = WorkerDemanded | RegisterListenerAdapter | ListenerChannelAvailable | ListenerAdaptersRequired;

/** Each activation request and its reply: was answers a registration with the site configuration of the adapter's protocol. */
export interface ActivationReplies {
  RegisterListenerAdapter: import('./config-plane.js').ApplySiteConfiguration;
}
