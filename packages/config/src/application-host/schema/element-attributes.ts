// The attribute names of every system.applicationHost element poolhost reads: the ones it honours (its
// schema, plus the keys it reads outside the schema) and the ones IIS 10's schema defines that poolhost
// accepts but cannot honour, each with why (IIS_schema.xml, reference §3, §4). Anything else is refused.

import type { AttributeNames, NotHonoured } from '../../validation/attribute-names.js';
import type { ElementSchema } from '../../values/attribute-type.js';
import {
  APPLICATION_POOLS_SCHEMA,
  APPLICATION_POOL_SCHEMA,
  CPU_SCHEMA,
  FAILURE_SCHEMA,
  PERIODIC_RESTART_SCHEMA,
  PROCESS_MODEL_SCHEMA,
  RECYCLING_SCHEMA,
  SCHEDULE_ENTRY_SCHEMA,
} from './application-pool-schema.js';
import { AUTOMATIC_CERTIFICATES_SCHEMA, HTTP_SYS_SCHEMA, WEB_LIMITS_SCHEMA, WEB_MANAGEMENT_SCHEMA } from './server-schema.js';
import {
  APPLICATION_SCHEMA,
  BINDING_SCHEMA,
  HSTS_SCHEMA,
  LOG_FILE_SCHEMA,
  SITE_LIMITS_SCHEMA,
  SITE_SCHEMA,
  TRACE_FAILED_REQUESTS_LOGGING_SCHEMA,
  VIRTUAL_DIRECTORY_SCHEMA,
} from './site-schema.js';

const names = (element: string, schema: ElementSchema, extra: readonly string[] = [], notHonoured?: Record<string, NotHonoured>): AttributeNames => ({
  element,
  known: [...extra, ...Object.keys(schema)],
  ...(notHonoured ? { notHonoured } : {}),
});

const NO_CLR = 'poolhost loads no .NET CLR: an application runs in the worker as Node.js (docs/hosting.md)';

const POOL_NOT_HONOURED: Record<string, NotHonoured> = {
  enable32BitAppOnWin64: { inert: 'false', reason: 'a worker is a 64-bit Node.js process on Linux; there is no WOW64 32-bit mode' },
  managedRuntimeVersion: { inert: '', reason: NO_CLR },
  managedRuntimeLoader: { inert: 'webengine4.dll', reason: NO_CLR },
  CLRConfigFile: { inert: '', reason: NO_CLR },
  managedPipelineMode: { inert: 'Integrated', reason: 'poolhost has one request pipeline, the integrated one (Classic mode is ASP.NET through aspnet_isapi.dll)' },
  passAnonymousToken: { inert: 'true', reason: 'there is no Windows IUSR token to pass: every request runs as the worker\'s Linux user' },
};

const PROCESS_MODEL_NOT_HONOURED: Record<string, NotHonoured> = {
  password: { inert: '', reason: 'identityType="SpecificUser" runs the workers as the Linux user named by userName (was running as root); there is no logon with a password' },
  loadUserProfile: { inert: 'false', reason: 'there is no Windows user profile to load (setProfileEnvironment sets HOME and USER from the Linux account)' },
  logonType: { inert: 'LogonBatch', reason: 'a worker is started with the Linux user\'s uid and gid, not in a Windows logon session' },
  manualGroupMembership: { inert: 'false', reason: 'a worker has the Linux user\'s groups; there is no IIS_IUSRS token group to add' },
  requestQueueDelegatorIdentity: { inert: '', reason: 'HTTP.SYS request queue delegation is Windows-only; poolhost\'s listener hands requests to the pool\'s queue itself' },
};

const FAILURE_NOT_HONOURED: Record<string, NotHonoured> = {
  orphanWorkerProcess: { inert: 'false', reason: 'poolhost ends an unhealthy worker; it never leaves one running for a debugger' },
  orphanActionExe: { inert: '', reason: 'poolhost never orphans a worker, so there is no orphan action to run' },
  orphanActionParams: { inert: '', reason: 'poolhost never orphans a worker, so there is no orphan action to run' },
  autoShutdownExe: { inert: '', reason: 'poolhost runs no program when rapid-fail protection stops a pool (event 5002 is logged)' },
  autoShutdownParams: { inert: '', reason: 'poolhost runs no program when rapid-fail protection stops a pool (event 5002 is logged)' },
};

const NUMA = 'Windows processor groups and NUMA placement have no Linux counterpart here; use smpAffinitized with smpProcessorAffinityMask (a cpuset)';
const CPU_NOT_HONOURED: Record<string, NotHonoured> = {
  processorGroup: { inert: '0', reason: NUMA },
  numaNodeAssignment: { inert: 'MostAvailableMemory', reason: NUMA },
  numaNodeAffinityMode: { inert: 'Soft', reason: NUMA },
};

const LOG_FILE_NOT_HONOURED: Record<string, NotHonoured> = {
  logFormat: { inert: 'W3C', reason: 'poolhost writes W3C logs only; with IIS, NCSA or Custom it would write no log at all' },
  localTimeRollover: { inert: 'false', reason: 'log files roll over at UTC midnight (the W3C file names are UTC dates)' },
  truncateSize: { inert: '20971520', reason: 'period="MaxSize" writes one u_extend1.log and does not roll it at a size' },
  customLogPluginClsid: { inert: '', reason: 'custom logging modules are Windows COM plug-ins' },
  logTargetW3C: { inert: 'File', reason: 'poolhost writes log files; there is no ETW event target on Linux' },
  flushByEntryCountW3CLog: { inert: '0', reason: 'the W3C log is flushed on a timer and at shutdown, not after a count of entries' },
  maxLogLineLength: { inert: '65536', reason: 'poolhost does not cut W3C log lines at a length' },
};

const TRACE_FAILED_REQUESTS_LOGGING_NOT_HONOURED: Record<string, NotHonoured> = {
  maxLogFileSizeKB: { inert: '1024', reason: 'a failed request trace file is written whole, without a size limit' },
  customActionsEnabled: { inert: 'false', reason: 'poolhost runs no custom action when a failed request rule matches' },
};

const APPLICATION_NOT_HONOURED: Record<string, NotHonoured> = {
  serviceAutoStartEnabled: { inert: 'false', reason: 'a service auto-start provider is a .NET IProcessHostPreloadClient; use preloadEnabled="true" and applicationInitialization' },
  serviceAutoStartProvider: { inert: '', reason: 'a service auto-start provider is a .NET IProcessHostPreloadClient; use preloadEnabled="true" and applicationInitialization' },
};

const VDIR_CREDENTIALS = 'the worker reads physicalPath as its own Linux user; mount a share with its credentials instead (docs/configuration.md)';
const VIRTUAL_DIRECTORY_NOT_HONOURED: Record<string, NotHonoured> = {
  userName: { inert: '', reason: VDIR_CREDENTIALS },
  password: { inert: '', reason: VDIR_CREDENTIALS },
  logonMethod: { inert: 'ClearText', reason: VDIR_CREDENTIALS },
};

const WEB_LIMITS_NOT_HONOURED: Record<string, NotHonoured> = {
  maxGlobalBandwidth: { inert: '4294967295', reason: 'poolhost throttles bandwidth per site (limits maxBandwidth), not for the whole server' },
  demandStartThreshold: { inert: '2147483647', reason: 'a pool\'s worker starts on its first request (or at pool start with startMode="AlwaysRunning")' },
  dynamicIdleThreshold: { inert: '0', reason: 'idleTimeout is not shortened under memory pressure' },
  dynamicRegistrationThreshold: { inert: '100', reason: 'poolhost registers every site\'s bindings at start' },
};

const LISTENER_ADAPTER_NOT_HONOURED: Record<string, NotHonoured> = {
  identity: { inert: '', reason: 'poolhost\'s listener adapters are processes it starts itself, not Windows services with an account' },
  protocolManagerDll: { inert: '', reason: 'poolhost\'s listener adapters are processes it starts itself; no protocol manager DLL is loaded' },
  protocolManagerDllInitFunction: { inert: '', reason: 'poolhost\'s listener adapters are processes it starts itself; no protocol manager DLL is loaded' },
};

export const ELEMENT_ATTRIBUTES = {
  applicationPools: names('applicationPools', APPLICATION_POOLS_SCHEMA),
  applicationPool: names('applicationPools/add', APPLICATION_POOL_SCHEMA, ['name'], POOL_NOT_HONOURED),
  // IIS's schema gives applicationPoolDefaults a `name` too; like IIS, poolhost gives it no meaning there.
  applicationPoolDefaults: names('applicationPoolDefaults', APPLICATION_POOL_SCHEMA, ['name'], POOL_NOT_HONOURED),
  processModel: names('processModel', PROCESS_MODEL_SCHEMA, [], PROCESS_MODEL_NOT_HONOURED),
  recycling: names('recycling', RECYCLING_SCHEMA),
  periodicRestart: names('periodicRestart', PERIODIC_RESTART_SCHEMA),
  scheduleEntry: names('schedule/add', SCHEDULE_ENTRY_SCHEMA),
  failure: names('failure', FAILURE_SCHEMA, [], FAILURE_NOT_HONOURED),
  cpu: names('cpu', CPU_SCHEMA, [], CPU_NOT_HONOURED),
  environmentVariable: names('environmentVariables/add', {}, ['name', 'value']),
  sites: names('sites', {}),
  site: names('site', SITE_SCHEMA, ['name', 'id']),
  siteDefaults: names('siteDefaults', SITE_SCHEMA, ['name', 'id']),
  bindings: names('bindings', {}),
  binding: names('binding', BINDING_SCHEMA, ['protocol', 'bindingInformation']),
  limits: names('limits', SITE_LIMITS_SCHEMA),
  hsts: names('hsts', HSTS_SCHEMA),
  logFile: names('logFile', LOG_FILE_SCHEMA, [], LOG_FILE_NOT_HONOURED),
  traceFailedRequestsLogging: names('traceFailedRequestsLogging', TRACE_FAILED_REQUESTS_LOGGING_SCHEMA, [], TRACE_FAILED_REQUESTS_LOGGING_NOT_HONOURED),
  application: names('application', APPLICATION_SCHEMA, ['path'], APPLICATION_NOT_HONOURED),
  applicationDefaults: names('applicationDefaults', APPLICATION_SCHEMA, ['path'], APPLICATION_NOT_HONOURED),
  virtualDirectory: names('virtualDirectory', VIRTUAL_DIRECTORY_SCHEMA, ['path'], VIRTUAL_DIRECTORY_NOT_HONOURED),
  virtualDirectoryDefaults: names('virtualDirectoryDefaults', VIRTUAL_DIRECTORY_SCHEMA, ['path'], VIRTUAL_DIRECTORY_NOT_HONOURED),
  webLimits: names('webLimits', WEB_LIMITS_SCHEMA, [], WEB_LIMITS_NOT_HONOURED),
  webManagement: names('webManagement', WEB_MANAGEMENT_SCHEMA),
  httpSys: names('httpSys', HTTP_SYS_SCHEMA),
  automaticCertificates: names('automaticCertificates', AUTOMATIC_CERTIFICATES_SCHEMA),
  listenerAdapters: names('listenerAdapters', {}),
  listenerAdapter: names('listenerAdapters/add', {}, ['name'], LISTENER_ADAPTER_NOT_HONOURED),
} as const satisfies Record<string, AttributeNames>;
