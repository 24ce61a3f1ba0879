// Config plane: what `was` tells `w3svc`, and what `w3svc` programs into `httpsys`.
// Both carry the full desired state, so a restarted service is brought up to date by one message.
// Values that come from applicationHost.config keep the types packages/config declares for them.
import type { Binding, HttpSysParameters, LoadBalancerCapabilities, LogFile, SiteLimits, WebLimits } from '@poolhost/config';

/**
 * A site binding as the listener needs it (`*` for all addresses; host lower-cased, '' matches any).
 * `sslFlags` (https; absent = 0): bit 4 turns HTTP/2 off for the binding; bit 32 caps the port at TLS 1.2
 * (SSL_FLAG_DISABLE_TLS13). `proxyProtocol` `required`: the port's connections open with a PROXY header.
 */
export type BindingDescriptor = Pick<Binding, 'protocol' | 'bindingInformation' | 'ip' | 'port' | 'host'> & Partial<Pick<Binding, 'sslFlags' | 'proxyProtocol'>>;

/**
 * The site `limits` the listener enforces (connectionTimeout: entity-body, idle-connection and queue-wait timer;
 * maxBandwidth: bytes per second for all of the site's responses together, 4294967295 unlimited).
 */
export type SiteListenerLimits = Pick<SiteLimits, 'connectionTimeout' | 'maxConnections' | 'maxUrlSegments' | 'maxBandwidth'>;

export interface ApplicationRoute {
  /** `/` or `/a/b`, no trailing slash. */
  path: string;
  applicationPool: string;
}

export type SiteState = 'Starting' | 'Started' | 'Stopping' | 'Stopped' | 'Unknown';
export type ApplicationPoolState = 'Starting' | 'Started' | 'Stopping' | 'Stopped' | 'Unknown';

/** A site's `<hsts>`, as httpsys applies it. */
export interface HstsSettings {
  enabled: boolean;
  maxAge: number;
  includeSubDomains: boolean;
  preload: boolean;
  redirectHttpToHttps: boolean;
}

export interface SiteDescriptor extends SiteListenerLimits {
  id: number;
  name: string;
  serverAutoStart: boolean;
  bindings: BindingDescriptor[];
  applications: ApplicationRoute[];
  hsts?: HstsSettings;
  /** The site's W3C log: httpsys writes the lines of the requests its response cache answers. */
  logFile?: LogFile;
}

/** Why a disabled request queue turns requests away; becomes the HTTPERR reason phrase. */
export type RequestQueueDisabledReason = 'AppOffline' | 'Disabled' | 'AppShutdown';

export interface RequestQueueSettings {
  /** The queue is named after its application pool, as in HTTP.SYS. */
  applicationPool: string;
  queueLength: number;
  loadBalancerCapabilities: LoadBalancerCapabilities;
  /** Web garden size: the listener asks for more workers while fewer than this are attached and all are busy. */
  maxProcesses: number;
}

export interface RequestQueueState {
  applicationPool: string;
  enabled: boolean;
  /** Set when `enabled` is false. */
  disabledReason?: RequestQueueDisabledReason;
  /**
   * Set when rapid-fail protection disabled the pool (the reason stays `AppOffline`, as IIS logs it for
   * stopped and failed pools alike): the net.tcp activator counts its refusals apart.
   */
  rapidFailProtection?: true;
}

/** Server-wide listener limits: part of `webLimits` plus the HTTP.SYS parameters (`system.applicationHost/httpSys`). */
export type ListenerLimits = Pick<WebLimits, 'headerWaitTimeout' | 'connectionTimeout' | 'minBytesPerSecond'> &
  HttpSysParameters & {
    /** `system.webServer/caching@maxCacheSize` of applicationHost.config, MB (0: httpsys sizes the kernel cache). */
    maxCacheSize: number;
  };

/**
 * was -> a listener adapter: the sites and request queues the configuration declares, for the adapter's
 * protocol: only the bindings of that protocol, only the applications whose enabledProtocols list it.
 */
export interface ApplySiteConfiguration {
  type: 'ApplySiteConfiguration';
  protocol: import('./activation.js').ListenerAdapterProtocol;
  sites: SiteDescriptor[];
  requestQueues: RequestQueueSettings[];
  queueStates: RequestQueueState[];
  limits: ListenerLimits;
}

/** was -> w3svc -> httpsys: a pool was started, stopped or disabled (rapid-fail). */
export interface SetRequestQueueState {
  type: 'SetRequestQueueState';
  state: RequestQueueState;
}

export interface UrlGroup extends SiteListenerLimits {
  siteId: number;
  siteName: string;
  /** A stopped site keeps no URL group routes: httpsys answers its bindings with 404. */
  state: SiteState;
  bindings: BindingDescriptor[];
  applications: ApplicationRoute[];
  hsts?: HstsSettings;
  /** The site's W3C log: httpsys writes the lines of the requests its response cache answers. */
  logFile?: LogFile;
}

/** w3svc -> httpsys: the whole routing table; httpsys opens, keeps and closes listeners to match it. */
export interface ApplyUrlGroups {
  type: 'ApplyUrlGroups';
  urlGroups: UrlGroup[];
  requestQueues: RequestQueueSettings[];
  queueStates: RequestQueueState[];
  limits: ListenerLimits;
}

export type ConfigPlaneMessage = ApplySiteConfiguration | SetRequestQueueState | ApplyUrlGroups;

/** Each config-plane request and its reply (the rest are events). */
export interface ConfigPlaneReplies {
  /** `detail` names what httpsys could not apply (e.g. a port already in use). */
  ApplyUrlGroups: import('./management.js').Acknowledged;
}
