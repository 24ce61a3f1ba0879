// The typed model of applicationHost.config that every service reads. Durations are milliseconds,
// memory sizes are kilobytes as in IIS, enum values carry IIS's canonical casing.
// This file is the contract between packages/config and its consumers: loaders fill it, nothing else
// in poolhost reads XML.

import type { ConfigFileSections } from './web-server/model.js';
import type { ConfigIssue } from './validation/config-error.js';

export interface SourcePosition {
  file: string;
  line: number;
  column: number;
}

export type StartMode = 'OnDemand' | 'AlwaysRunning';
export type ManagedPipelineMode = 'Integrated' | 'Classic';
export type IdentityType = 'LocalSystem' | 'LocalService' | 'NetworkService' | 'SpecificUser' | 'ApplicationPoolIdentity';
export type IdleTimeoutAction = 'Terminate' | 'Suspend';
export type LoadBalancerCapabilities = 'TcpLevel' | 'HttpLevel';
export type LogonType = 'LogonBatch' | 'LogonService';
export type CpuAction = 'NoAction' | 'KillW3wp' | 'Throttle' | 'ThrottleUnderLoad';
/** `recycling@logEventOnRecycle` flag names, also the reasons a worker is recycled for. */
export type RecycleReason =
  | 'Time'
  | 'Requests'
  | 'Schedule'
  | 'Memory'
  | 'IsapiUnhealthy'
  | 'OnDemand'
  | 'ConfigChange'
  | 'PrivateMemory';

export interface ProcessModel {
  identityType: IdentityType;
  userName: string;
  password: string;
  loadUserProfile: boolean;
  setProfileEnvironment: boolean;
  logonType: LogonType;
  manualGroupMembership: boolean;
  /** ms; 0 disables idle shutdown. */
  idleTimeout: number;
  idleTimeoutAction: IdleTimeoutAction;
  /** >1 is a web garden; 0 means one worker per NUMA node (treated as 1 on Linux). */
  maxProcesses: number;
  shutdownTimeLimit: number;
  startupTimeLimit: number;
  pingingEnabled: boolean;
  pingInterval: number;
  pingResponseTime: number;
  logEventOnProcessModel: Array<'IdleTimeout'>;
}

export interface PeriodicRestart {
  /** ms since worker start; 0 disables. */
  time: number;
  requests: number;
  /** virtual memory, KB; 0 disables. */
  memory: number;
  /** private bytes, KB; 0 disables. */
  privateMemory: number;
  /** local times of day, ms since midnight, in file order. */
  schedule: number[];
}

export interface Recycling {
  disallowOverlappingRotation: boolean;
  disallowRotationOnConfigChange: boolean;
  logEventOnRecycle: RecycleReason[];
  periodicRestart: PeriodicRestart;
}

export interface Failure {
  rapidFailProtection: boolean;
  rapidFailProtectionInterval: number;
  rapidFailProtectionMaxCrashes: number;
  loadBalancerCapabilities: LoadBalancerCapabilities;
  orphanWorkerProcess: boolean;
  orphanActionExe: string;
  orphanActionParams: string;
  autoShutdownExe: string;
  autoShutdownParams: string;
}

export interface Cpu {
  /** 1/1000 of a percent; 0 = off. */
  limit: number;
  action: CpuAction;
  resetInterval: number;
  smpAffinitized: boolean;
  smpProcessorAffinityMask: number;
  smpProcessorAffinityMask2: number;
}

export interface EnvironmentVariable {
  name: string;
  value: string;
}

export interface ApplicationPool {
  name: string;
  queueLength: number;
  autoStart: boolean;
  enable32BitAppOnWin64: boolean;
  managedRuntimeVersion: string;
  managedRuntimeLoader: string;
  enableConfigurationOverride: boolean;
  managedPipelineMode: ManagedPipelineMode;
  CLRConfigFile: string;
  passAnonymousToken: boolean;
  startMode: StartMode;
  /** poolhost extension: a pre-started, loaded worker waits unattached to requests and takes over from a crashed one. */
  standbyWorker: boolean;
  /** poolhost extension: hard ceiling in KB on the memory of the pool's processes together (cgroup memory.max); 0 = none. */
  memoryLimit: number;
  /** poolhost extension: the most tasks (processes and threads) the pool's processes may hold (cgroup pids.max); 0 = none. */
  taskLimit: number;
  processModel: ProcessModel;
  recycling: Recycling;
  failure: Failure;
  cpu: Cpu;
  environmentVariables: EnvironmentVariable[];
  position: SourcePosition;
}

export interface Binding {
  protocol: string;
  /** As written, e.g. `*:8080:www.contoso.com`. */
  bindingInformation: string;
  /** `*` for all addresses, else the literal address without brackets. */
  ip: string;
  port: number;
  /** Lower-cased host header; '' matches any host. */
  host: string;
  sslFlags: number;
  /** `certificateSource="acme"` (a poolhost extension): the certificate of this https host name is issued by the ACME directory of `<automaticCertificates>`. */
  certificateSource?: 'acme';
  /**
   * `proxyProtocol="required"` (a poolhost extension): connections to the port open with a PROXY protocol
   * header, whose source address is the request's client address. Every binding of a port says the same.
   */
  proxyProtocol?: 'required';
  position: SourcePosition;
}

export interface VirtualDirectory {
  /** `/` or `/a/b`, relative to its application. */
  path: string;
  /** As written in the file. */
  physicalPathRaw: string;
  /** Absolute Linux path: `%VAR%` expanded, `\` turned into `/`, relative paths resolved against the config file's folder. */
  physicalPath: string;
  userName: string;
  logonMethod: 'Interactive' | 'Batch' | 'Network' | 'ClearText';
  allowSubDirConfig: boolean;
  position: SourcePosition;
}

export interface Application {
  /** `/` or `/a/b` (no trailing slash). */
  path: string;
  applicationPool: string;
  enabledProtocols: string;
  preloadEnabled: boolean;
  serviceAutoStartEnabled: boolean;
  serviceAutoStartProvider: string;
  virtualDirectories: VirtualDirectory[];
  /**
   * Set when `applicationPool` names no declared pool: IIS keeps the file, and WAS ignores the
   * application (event 5048) — no worker hosts it, its URLs answer 503; `appcmd list app` shows it.
   */
  applicationPoolUndeclared?: true;
  position: SourcePosition;
}

export interface SiteLimits {
  maxBandwidth: number;
  maxConnections: number;
  connectionTimeout: number;
  maxUrlSegments: number;
}

export type LogFormat = 'IIS' | 'NCSA' | 'W3C' | 'Custom';
export type LogPeriod = 'MaxSize' | 'Daily' | 'Weekly' | 'Monthly' | 'Hourly';

export interface LogFile {
  logFormat: LogFormat;
  /** Absolute Linux path (expanded like physicalPath); files go to `<directory>/W3SVC<siteId>/`. */
  directory: string;
  period: LogPeriod;
  truncateSize: number;
  localTimeRollover: boolean;
  enabled: boolean;
  logExtFileFlags: string[];
  logSiteId: boolean;
}

export interface TraceFailedRequestsLogging {
  enabled: boolean;
  directory: string;
  maxLogFiles: number;
}

/** `<hsts>` (site, else siteDefaults): Strict-Transport-Security on https responses, http redirected. */
export interface SiteHsts {
  enabled: boolean;
  /** Seconds. */
  maxAge: number;
  includeSubDomains: boolean;
  preload: boolean;
  redirectHttpToHttps: boolean;
}

export interface Site {
  name: string;
  id: number;
  serverAutoStart: boolean;
  bindings: Binding[];
  limits: SiteLimits;
  hsts: SiteHsts;
  logFile: LogFile;
  traceFailedRequestsLogging: TraceFailedRequestsLogging;
  applications: Application[];
  position: SourcePosition;
}

/** `system.applicationHost/webLimits` (server-wide). */
export interface WebLimits {
  connectionTimeout: number;
  /** ms; 0 means HTTP.SYS's default of 2 minutes. */
  headerWaitTimeout: number;
  minBytesPerSecond: number;
  maxGlobalBandwidth: number;
  demandStartThreshold: number;
  dynamicIdleThreshold: number;
  dynamicRegistrationThreshold: number;
}

/**
 * HTTP.SYS's registry parameters (KB820129), which IIS keeps outside applicationHost.config.
 * poolhost reads them from the optional `system.applicationHost/httpSys` element (a poolhost extension).
 */
export interface HttpSysParameters {
  maxFieldLength: number;
  maxRequestBytes: number;
  urlSegmentMaxLength: number;
  urlSegmentMaxCount: number;
  enableErrorLogging: boolean;
  /** Absolute folder of the HTTPERR log files (`httperr<N>.log`). */
  errorLoggingDir: string;
  errorLogFileTruncateSize: number;
  /** HTTP/2 by ALPN `h2` on https bindings (a binding's sslFlags 4 turns it off for that binding). */
  enableHttp2Tls: boolean;
  /** HTTP/2 with prior knowledge (h2c) on http bindings; off by default, as in HTTP.SYS. */
  enableHttp2Cleartext: boolean;
  http2MaxConcurrentStreams: number;
  http2MaxStreamResetsPerMinute: number;
  /** SETTINGS_HEADER_TABLE_SIZE offered to each HTTP/2 connection (bytes of HPACK dynamic table). */
  http2HeaderTableSize: number;
  /** UriEnableCache: the kernel response cache answers frequently hit cacheable responses. */
  uriEnableCache: boolean;
  /** UriMaxUriBytes: larger responses are never kernel-cached. */
  uriMaxUriBytes: number;
  /** UriScavengerPeriod, seconds: an entry not hit for this long is flushed. */
  uriScavengerPeriod: number;
}

/**
 * `system.applicationHost/automaticCertificates` (a poolhost extension, beyond IIS; docs/https.md): the ACME
 * directory that issues the certificates of bindings with `certificateSource="acme"`. Durations in ms.
 */
export interface AutomaticCertificates {
  /** The ACME directory URL (https), e.g. Let's Encrypt's `https://acme-v02.api.letsencrypt.org/directory`. */
  directoryUrl: string;
  /** The account's contact, `mailto:admin@contoso.com` ('' for none). */
  contact: string;
  termsOfServiceAgreed: boolean;
  /** PEM bundle of the CAs the directory's own HTTPS certificate is verified against ('' = Node's default CAs). */
  caBundle: string;
  /** Absolute folder of the account key and the issued certificates and keys (0700). */
  certificateStoreLocation: string;
  keyType: 'EcdsaP256' | 'Rsa2048';
  /** A certificate is renewed once it expires within this. */
  renewBefore: number;
  /** How often poolhost re-reads the configuration and looks at every certificate's expiry. */
  checkInterval: number;
  /** The wait after a failed order; doubled after each further failure, up to maxRetryInterval. */
  retryInterval: number;
  maxRetryInterval: number;
  /**
   * How the CA validates each name: `http-01` (httpsys answers on the site's http binding), `tls-alpn-01`
   * (httpsys answers the `acme-tls/1` ALPN on the https port, RFC 8737) or `dns-01` (a TXT record the
   * dnsCreateScript publishes; the only one for wildcard names).
   */
  challengeType: AcmeChallengeType;
  /** dns-01: absolute path of the command poolhost runs to publish `_acme-challenge.<name>` TXT ('' unless dns-01). */
  dnsCreateScript: string;
  /** Its arguments, split on spaces, with {Identifier}, {RecordName} and {Token} replaced (win-acme's names). */
  dnsCreateScriptArguments: string;
  /** The command that removes the record after validation ('' = none). */
  dnsDeleteScript: string;
  dnsDeleteScriptArguments: string;
  dnsScriptTimeout: number;
  dnsPropagationDelay: number;
}

export type AcmeChallengeType = 'http-01' | 'tls-alpn-01' | 'dns-01';

/**
 * Where the administration role (inetmgr: /metrics, the status API, the dashboard) listens. IIS keeps
 * its Management Service's address in the registry (`WebManagement\Server`: IPAddress, Port,
 * EnableRemoteManagement); poolhost reads it from the optional `system.applicationHost/webManagement`
 * element (a poolhost extension). Port 0: not started unless `poolhost start --metrics` asks.
 */
export interface WebManagement {
  ipAddress: string;
  port: number;
  enableRemoteManagement: boolean;
  /** Farm health: the HAProxy agent-check port (0: none) and the queue fill that makes a pool not ready. */
  agentCheckPort: number;
  readyQueuePercent: number;
  /** `poolhost drain` defaults, ms: the delay before new connections are refused, and the time in-flight requests get. */
  drainDelay: number;
  drainTimeLimit: number;
}

/** One `<listenerAdapters><add>`: `identity` and the protocol manager DLL are kept and shown; poolhost's adapters are its own executables. */
export interface ListenerAdapter {
  /** Lower-cased protocol name (`http`, `net.tcp`). */
  name: string;
  identity: string;
  protocolManagerDll: string;
  protocolManagerDllInitFunction: string;
}

/** Everything `system.applicationHost` declares, with every default applied. */
export interface ApplicationHostConfig {
  /** Absolute path of the applicationHost.config this was read from. */
  file: string;
  applicationPoolDefaults: Omit<ApplicationPool, 'name' | 'position'>;
  applicationPools: ApplicationPool[];
  /**
   * `<applicationPools spareWorkers="N">` (poolhost extension, 0 = none): booted w3wp processes bound to no
   * pool; the next worker start of any pool takes one (docs/process-model.md). Optional so hand-built
   * models stay valid; absent means 0.
   */
  spareWorkers?: number;
  sites: Site[];
  webLimits: WebLimits;
  httpSys: HttpSysParameters;
  /**
   * `system.applicationHost/listenerAdapters`: the protocols whose listener adapters may register with
   * was. Absent: every adapter poolhost ships (`http`, `net.tcp`).
   */
  listenerAdapters?: ListenerAdapter[];
  /** Optional so hand-built models stay valid; absent means the defaults (off). */
  webManagement?: WebManagement;
  /** Present when applicationHost.config has `<automaticCertificates>`. */
  automaticCertificates?: AutomaticCertificates;
  /**
   * IIS settings the file asks for that poolhost does not honour (code POOLHOST_CONFIG_NOT_HONOURED), in
   * file order: the file loads, and was logs each one. Optional so hand-built models stay valid.
   */
  warnings?: ConfigIssue[];
  /** Every file read to build this model (applicationHost.config first, then each web.config found), for watching. */
  files: string[];
  /**
   * The system.webServer sections, location tags and section registrations of applicationHost.config,
   * kept raw (JSON-safe) for getEffectiveWebServerConfig. Optional so hand-built models stay valid.
   */
  webServer?: ConfigFileSections;
}
