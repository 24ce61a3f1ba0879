// IIS 10 schema of `system.applicationHost/applicationPools` (reference §3): defaults and ranges.

import { bool, enumOf, flagsOf, INT_MAX, string, timeSpan, uint, UINT_MAX } from '../../values/attribute-type.js';
import type { ElementSchema } from '../../values/attribute-type.js';

export const APPLICATION_POOL_SCHEMA: ElementSchema = {
  queueLength: uint(1000, 10, 65535),
  autoStart: bool(true),
  enable32BitAppOnWin64: bool(false),
  managedRuntimeVersion: string(''),
  managedRuntimeLoader: string('webengine4.dll'),
  enableConfigurationOverride: bool(true),
  managedPipelineMode: enumOf(['Integrated', 'Classic'], 'Integrated'),
  CLRConfigFile: string(''),
  passAnonymousToken: bool(true),
  startMode: enumOf(['OnDemand', 'AlwaysRunning'], 'OnDemand'),
  // poolhost extension (not in IIS's schema): keep one pre-started worker that takes over when a worker crashes.
  standbyWorker: bool(false),
  // poolhost extensions (beyond IIS): a hard memory ceiling in KB for the pool's processes together (its
  // cgroup's memory.max; 0 = none), and the most tasks (processes and threads) they may hold (pids.max; 0 = none).
  memoryLimit: uint(0),
  taskLimit: uint(0),
};

/**
 * Attributes of the `<applicationPools>` element itself (poolhost extension; IIS's has none): `spareWorkers`
 * booted w3wp processes that belong to no pool yet, each taken by the next worker start of any pool.
 */
export const APPLICATION_POOLS_SCHEMA: ElementSchema = {
  spareWorkers: uint(0, 0, 16),
};

const ONE_SECOND_TO_MAX = [1, 4294967] as const;

export const PROCESS_MODEL_SCHEMA: ElementSchema = {
  identityType: enumOf(['LocalSystem', 'LocalService', 'NetworkService', 'SpecificUser', 'ApplicationPoolIdentity'], 'ApplicationPoolIdentity'),
  userName: string(''),
  password: string(''),
  loadUserProfile: bool(false),
  setProfileEnvironment: bool(true),
  logonType: enumOf(['LogonBatch', 'LogonService'], 'LogonBatch'),
  manualGroupMembership: bool(false),
  idleTimeout: timeSpan('00:20:00', 0, 2592000, 60),
  idleTimeoutAction: enumOf(['Terminate', 'Suspend'], 'Terminate'),
  maxProcesses: uint(1, 0, INT_MAX),
  shutdownTimeLimit: timeSpan('00:01:30', ...ONE_SECOND_TO_MAX),
  startupTimeLimit: timeSpan('00:01:30', ...ONE_SECOND_TO_MAX),
  pingingEnabled: bool(true),
  pingInterval: timeSpan('00:00:30', ...ONE_SECOND_TO_MAX),
  pingResponseTime: timeSpan('00:01:30', ...ONE_SECOND_TO_MAX),
  logEventOnProcessModel: flagsOf(['IdleTimeout'], ['IdleTimeout']),
};

export const RECYCLE_REASONS = ['Time', 'Requests', 'Schedule', 'Memory', 'IsapiUnhealthy', 'OnDemand', 'ConfigChange', 'PrivateMemory'] as const;

export const RECYCLING_SCHEMA: ElementSchema = {
  disallowOverlappingRotation: bool(false),
  disallowRotationOnConfigChange: bool(false),
  logEventOnRecycle: flagsOf(RECYCLE_REASONS, RECYCLE_REASONS),
};

export const PERIODIC_RESTART_SCHEMA: ElementSchema = {
  time: timeSpan('29:00:00', 0, 25920000, 60),
  requests: uint(0),
  memory: uint(0),
  privateMemory: uint(0),
};

/** `periodicRestart/schedule/add@value`: a local time of day, whole minutes. */
export const SCHEDULE_ENTRY_SCHEMA: ElementSchema = {
  value: timeSpan('00:00:00', 0, 86399, 60),
};

export const FAILURE_SCHEMA: ElementSchema = {
  rapidFailProtection: bool(true),
  rapidFailProtectionInterval: timeSpan('00:05:00', 60, 8640000, 60),
  rapidFailProtectionMaxCrashes: uint(5, 1, INT_MAX),
  loadBalancerCapabilities: enumOf(['TcpLevel', 'HttpLevel'], 'HttpLevel'),
  orphanWorkerProcess: bool(false),
  orphanActionExe: string(''),
  orphanActionParams: string(''),
  autoShutdownExe: string(''),
  autoShutdownParams: string(''),
};

export const CPU_SCHEMA: ElementSchema = {
  limit: uint(0, 0, 100000),
  action: enumOf(['NoAction', 'KillW3wp', 'Throttle', 'ThrottleUnderLoad'], 'NoAction'),
  resetInterval: timeSpan('00:05:00', 0, 86400, 60),
  smpAffinitized: bool(false),
  smpProcessorAffinityMask: uint(UINT_MAX),
  smpProcessorAffinityMask2: uint(UINT_MAX),
};
