// Management: appcmd and `poolhost status|stop` asking the running services.
import type { ApplicationPoolState, SiteState } from './config-plane.js';

export type WorkerProcessState = 'Starting' | 'Running' | 'Stopping' | 'Unknown';
/**
 * The worker's role in its application pool (poolhost extension; IIS has one kind of worker): `active`
 * takes requests, `standby` waits to be promoted after a crash (standbyWorker="true"), `replacement` is the
 * new half of an overlapped recycle still starting, `retiring` was picked by a recycle and leaves once its
 * replacement is ready (or at once, non-overlapped).
 */
export type WorkerProcessRole = 'active' | 'standby' | 'replacement' | 'retiring';

export interface WorkerProcessInfo {
  pid: number;
  applicationPool: string;
  state: WorkerProcessState;
  startedAt: string;
  requestsServed: number;
  requestsInFlight: number;
  /** Its role in the pool (absent from an older was: active). */
  role?: WorkerProcessRole;
  /** The pool's cgroup the worker runs in ('' or absent without one). */
  cgroup?: string;
}

/** One entry of the event journal: an IIS event id with IIS's wording, or a poolhost lifecycle fact. */
export interface JournalEvent {
  time: string;
  eventId: number;
  level: 'Information' | 'Warning' | 'Error';
  source: string;
  message: string;
  applicationPool?: string;
  pid?: number;
  /** Why a worker ended: `crash (exit code 3)`, `ping timeout`, `recycle (Time)`, `idle timeout`, … */
  reason?: string;
}

/** A worker that has ended, kept so operators can see why. */
export interface WorkerProcessHistoryEntry {
  pid: number;
  applicationPool: string;
  startedAt: string;
  endedAt: string;
  reason: string;
}

export interface ListApplicationPools {
  type: 'ListApplicationPools';
}

export interface ApplicationPoolStatus {
  name: string;
  state: ApplicationPoolState;
  /** Set when a pool was disabled by rapid-fail protection. */
  disabledReason?: string;
  workers: number;
  isolation?: ApplicationPoolIsolation;
}

/** A pool's cgroup, its limits that cannot be enforced here, and its usage (docs/process-model.md, Isolation). */
export interface ApplicationPoolIsolation {
  /** The pool's cgroup directory ('' while it has none). */
  cgroup: string;
  /** Why no cgroup is used on this machine at all. */
  cgroupUnavailable?: string;
  /** Configured limits this machine cannot enforce. */
  unenforced?: string[];
  cpuTimeMs?: number;
  /** The share of the machine used over the last CPU monitor interval. */
  cpuUsedPercent?: number;
  memoryBytes?: number;
  /** Processes and threads in the group. */
  tasks?: number;
  oomKills: number;
  taskLimitHits: number;
}

export interface ApplicationPoolList {
  type: 'ApplicationPoolList';
  applicationPools: ApplicationPoolStatus[];
}

export interface ListWorkerProcesses {
  type: 'ListWorkerProcesses';
  applicationPool?: string;
}

export interface WorkerProcessList {
  type: 'WorkerProcessList';
  workers: WorkerProcessInfo[];
  /** Pids of the spare workers booted and waiting for a pool (`<applicationPools spareWorkers>`); absent: none configured. */
  spareWorkers?: number[];
}

export interface StartApplicationPool {
  type: 'StartApplicationPool';
  name: string;
}

export interface StopApplicationPool {
  type: 'StopApplicationPool';
  name: string;
}

export interface RecycleApplicationPool {
  type: 'RecycleApplicationPool';
  name: string;
}

/** Recycles one worker process (IIS Manager's Worker Processes view; appcmd has no per-worker verb). Answered with Acknowledged. */
export interface RecycleWorkerProcess {
  type: 'RecycleWorkerProcess';
  pid: number;
}

/** Ends one worker process at once (SIGKILL), as ending w3wp.exe in Task Manager does: was sees a crash. Answered with Acknowledged. */
export interface KillWorkerProcess {
  type: 'KillWorkerProcess';
  pid: number;
}

export interface ListSites {
  type: 'ListSites';
}

export interface SiteStatus {
  id: number;
  name: string;
  state: SiteState;
  /** The application pools its applications run in, each once. */
  applicationPools: string[];
}

export interface SiteList {
  type: 'SiteList';
  sites: SiteStatus[];
}

export interface StartSite {
  type: 'StartSite';
  name: string;
}

export interface StopSite {
  type: 'StopSite';
  name: string;
}

export interface GetEventJournal {
  type: 'GetEventJournal';
  applicationPool?: string;
  limit?: number;
}

export interface EventJournal {
  type: 'EventJournal';
  events: JournalEvent[];
  workerHistory: WorkerProcessHistoryEntry[];
}

export interface ListRequests {
  type: 'ListRequests';
  applicationPool?: string;
}

export interface RequestList {
  type: 'RequestList';
  requests: Array<import('./worker-control.js').ExecutingRequest & { pid: number; applicationPool: string }>;
}

export interface ServiceStatus {
  name: 'httpsys' | 'w3svc' | 'was' | 'inetmgr' | 'nettcpactivator';
  pid: number | null;
  state: 'Starting' | 'Running' | 'Stopping' | 'Stopped';
  restarts: number;
}

export interface GetServerStatus {
  type: 'GetServerStatus';
}

export interface ServerStatus {
  type: 'ServerStatus';
  pid: number;
  configFile: string;
  runDirectory: string;
  services: ServiceStatus[];
  workers: WorkerProcessInfo[];
  /** Pids of the spare workers waiting for a pool (absent: none configured). */
  spareWorkers?: number[];
  /** `--metrics`: where inetmgr serves /metrics, the status API and the dashboard. */
  administration?: { url: string };
  /** The configuration generation was runs (absent: was did not answer). */
  configuration?: ConfigurationState;
  /** `poolhost drain`: Draining until no client connection is left, then Drained (absent: serving). */
  drain?: import('./host-drain.js').ListenerDrainState;
}

/** appcmd -> was: which applicationHost.config the running server serves; answered with ConfigurationFile. */
export interface GetConfigurationFile {
  type: 'GetConfigurationFile';
}

export interface ConfigurationFile {
  type: 'ConfigurationFile';
  /** Absolute path. */
  file: string;
  /** The configuration in force: its generation and where it came from (absent from a was that predates it). */
  configuration?: ConfigurationState;
}

/** Which configuration generation a host runs and where it came from (docs/web-farm.md, shared configuration). */
export interface ConfigurationState {
  /** 12 hex digits of the SHA-256 of the applicationHost.config text in force. */
  generation: string;
  /** local: no redirection.config; shared: the shared file; cached: the local copy, the shared file being unusable. */
  source: 'local' | 'shared' | 'cached';
  /** The applicationHost.config named to poolhost (beside redirection.config). */
  localFile: string;
  /** redirection.config is enabled: the shared applicationHost.config. */
  sharedFile?: string;
  /** Why the shared file is not in force (source 'cached', or a shared edit that does not load). */
  problem?: string;
  /** When the generation came into force (ISO 8601). */
  appliedAt: string;
}

export interface StopServer {
  type: 'StopServer';
}

/** Generic positive reply to an imperative request. */
export interface Acknowledged {
  type: 'Acknowledged';
  detail?: string;
}

export type ManagementMessage =
  | ListApplicationPools
  | ApplicationPoolList
  | ListWorkerProcesses
  | WorkerProcessList
  | StartApplicationPool
  | StopApplicationPool
  | RecycleApplicationPool
  | RecycleWorkerProcess
  | KillWorkerProcess
  | ListSites
  | SiteList
  | StartSite
  | StopSite
  | GetEventJournal
  | EventJournal
  | ListRequests
  | RequestList
  | GetServerStatus
  | ServerStatus
  | GetConfigurationFile
  | ConfigurationFile
  | StopServer
  | Acknowledged;

/** Each management request and its reply. */
export interface ManagementReplies {
  ListApplicationPools: ApplicationPoolList;
  ListWorkerProcesses: WorkerProcessList;
  StartApplicationPool: Acknowledged;
  StopApplicationPool: Acknowledged;
  RecycleApplicationPool: Acknowledged;
  RecycleWorkerProcess: Acknowledged;
  KillWorkerProcess: Acknowledged;
  ListSites: SiteList;
  StartSite: Acknowledged;
  StopSite: Acknowledged;
  GetEventJournal: EventJournal;
  ListRequests: RequestList;
  GetServerStatus: ServerStatus;
  StopServer: Acknowledged;
  GetConfigurationFile: ConfigurationFile;
}
