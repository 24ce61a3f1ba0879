// IIS 10 schema defaults of the typed system.webServer sections (reference §6, §11).

import { bool, enumOf, flagsOf, INT_MAX, string, timeSpan, uint, UINT_MAX } from '../values/attribute-type.js';
import type { ElementSchema } from '../values/attribute-type.js';

export const HANDLERS_SCHEMA: ElementSchema = {
  accessPolicy: flagsOf(['Read', 'Write', 'Execute', 'Source', 'Script', 'NoRemoteWrite', 'NoRemoteRead', 'NoRemoteExecute', 'NoRemoteScript'], ['Read']),
};

export const HANDLER_SCHEMA: ElementSchema = {
  name: string('', true),
  path: string('', true),
  verb: string('', true),
  type: string(''),
  modules: string('ManagedPipelineHandler'),
  scriptProcessor: string(''),
  resourceType: enumOf(['File', 'Directory', 'Either', 'Unspecified'], 'Unspecified'),
  requireAccess: enumOf(['None', 'Read', 'Write', 'Script', 'Execute'], 'Script'),
  allowPathInfo: bool(false),
  preCondition: string(''),
  responseBufferLimit: uint(4194304),
};

export const MODULES_SCHEMA: ElementSchema = {
  runAllManagedModulesForAllRequests: bool(false),
  runManagedModulesForWebDavRequests: bool(false),
};

export const MODULE_SCHEMA: ElementSchema = {
  name: string('', true),
  type: string(''),
  preCondition: string(''),
};

export const DEFAULT_DOCUMENT_SCHEMA: ElementSchema = { enabled: bool(true) };

export const DIRECTORY_BROWSE_SCHEMA: ElementSchema = {
  enabled: bool(false),
  showFlags: flagsOf(['Date', 'Time', 'Size', 'Extension', 'LongDate'], ['Date', 'Time', 'Size', 'Extension']),
};

const RESPONSE_MODES = ['File', 'ExecuteURL', 'Redirect'];

export const HTTP_ERRORS_SCHEMA: ElementSchema = {
  errorMode: enumOf(['DetailedLocalOnly', 'Custom', 'Detailed'], 'DetailedLocalOnly'),
  existingResponse: enumOf(['Auto', 'Replace', 'PassThrough'], 'Auto'),
  defaultResponseMode: enumOf(RESPONSE_MODES, 'File'),
  defaultPath: string(''),
  detailedMoreInformationLink: string('http://go.microsoft.com/fwlink/?LinkID=62293'),
  allowAbsolutePathsWhenDelegated: bool(false),
};

export const HTTP_ERROR_SCHEMA: ElementSchema = {
  statusCode: uint(0, 400, 999),
  subStatusCode: { type: { kind: 'string' }, default: '-1' },
  path: string('', true),
  prefixLanguageFilePath: string(''),
  responseMode: enumOf(RESPONSE_MODES, 'File'),
};

export const REQUEST_FILTERING_SCHEMA: ElementSchema = {
  allowDoubleEscaping: bool(false),
  allowHighBitCharacters: bool(true),
  unescapeQueryString: bool(true),
  removeServerHeader: bool(false),
};

export const FILE_EXTENSIONS_SCHEMA: ElementSchema = { allowUnlisted: bool(true), applyToWebDAV: bool(true) };
export const HIDDEN_SEGMENTS_SCHEMA: ElementSchema = { applyToWebDAV: bool(true) };
export const ALLOWED_ENTRY_SCHEMA: ElementSchema = { allowed: bool(true) };

export const REQUEST_LIMITS_SCHEMA: ElementSchema = {
  maxAllowedContentLength: uint(30000000),
  maxUrl: uint(4096),
  maxQueryString: uint(2048),
};

export const HEADER_LIMIT_SCHEMA: ElementSchema = { header: string('', true), sizeLimit: uint(0) };

export const STATIC_CONTENT_SCHEMA: ElementSchema = {
  enableDocFooter: bool(false),
  defaultDocFooter: string(''),
  isDocFooterFileName: bool(false),
};

export const CLIENT_CACHE_SCHEMA: ElementSchema = {
  cacheControlMode: enumOf(['NoControl', 'DisableCache', 'UseMaxAge', 'UseExpires'], 'NoControl'),
  cacheControlMaxAge: timeSpan('1.00:00:00', 0, UINT_MAX),
  httpExpires: string(''),
  cacheControlCustom: string(''),
  setEtag: bool(true),
};

export const CACHING_SCHEMA: ElementSchema = {
  enabled: bool(true),
  enableKernelCache: bool(true),
  maxCacheSize: uint(0),
  maxResponseSize: uint(262144),
};

const CACHE_POLICIES = ['DontCache', 'CacheUntilChange', 'CacheForTimePeriod', 'DisableCache'];
export const CACHE_PROFILE_SCHEMA: ElementSchema = {
  extension: string('', true),
  policy: enumOf(CACHE_POLICIES, 'DontCache'),
  kernelCachePolicy: enumOf(CACHE_POLICIES, 'DontCache'),
  duration: timeSpan('00:00:30', 1, 4294967),
  location: enumOf(['Any', 'Client', 'Downstream', 'Server', 'None', 'ServerAndClient'], 'Server'),
  varyByHeaders: string(''),
  varyByQueryString: string(''),
};

export const SERVER_RUNTIME_SCHEMA: ElementSchema = {
  frequentHitThreshold: uint(2, 1, 2147483647),
  frequentHitTimePeriod: timeSpan('00:00:10', 0, 4294967),
};

export const HTTP_LOGGING_SCHEMA: ElementSchema = {
  dontLog: bool(false),
  selectiveLogging: enumOf(['LogAll', 'LogSuccessful', 'LogError'], 'LogAll'),
};

export const TRACE_RULE_SCHEMA: ElementSchema = {
  path: string('', true),
  customActionExe: string(''),
  customActionParams: string(''),
  customActionTriggerLimit: uint(1, 0, 10000),
};

export const TRACE_AREA_SCHEMA: ElementSchema = {
  provider: string('', true),
  areas: string(''),
  verbosity: enumOf(['General', 'CriticalError', 'Error', 'Warning', 'Information', 'Verbose'], 'Warning'),
};

export const FAILURE_DEFINITIONS_SCHEMA: ElementSchema = {
  statusCodes: string(''),
  timeTaken: timeSpan('00:00:00', 0, INT_MAX),
  traceAllAfterTimeout: bool(false),
  verbosity: enumOf(['Ignore', 'CriticalError', 'Error', 'Warning'], 'Ignore'),
};

/**
 * system.webServer/iisnode: iisnode's schema (src/config/iisnode_schema.xml in tjanczuk/iisnode, plus
 * nodeProcessStickySessions of Azure/iisnode, the build Azure App Service installs), every attribute with
 * its default, so appcmd checks and shows them. The worker's iisnode hosting reads the
 * section (packages/worker/src/hosting/iisnode/iisnode-settings.ts, docs/hosting.md lists the ones
 * that have no effect on Linux).
 */
export const IISNODE_SCHEMA: ElementSchema = {
  node_env: string('%node_env%'),
  asyncCompletionThreadCount: uint(0),
  nodeProcessCountPerApplication: uint(1),
  nodeProcessCommandLine: string('node.exe'),
  interceptor: string('"%programfiles%\\iisnode\\interceptor.js"'),
  maxConcurrentRequestsPerProcess: uint(1024),
  maxNamedPipeConnectionRetry: uint(100),
  namedPipeConnectionRetryDelay: uint(250),
  maxNamedPipeConnectionPoolSize: uint(512),
  maxNamedPipePooledConnectionAge: uint(30000),
  initialRequestBufferSize: uint(4096),
  maxRequestBufferSize: uint(65536),
  uncFileChangesPollingInterval: uint(5000),
  gracefulShutdownTimeout: uint(60000),
  logDirectory: string('iisnode'),
  debuggingEnabled: bool(true),
  debuggerExtensionDll: string('iisnode-inspector-0.7.3.dll'),
  debugHeaderEnabled: bool(false),
  debuggerVirtualDir: string(''),
  debuggerPathSegment: string('debug'),
  debuggerPortRange: string('5058-6058'),
  maxLogFileSizeInKB: uint(128),
  maxTotalLogFileSizeInKB: uint(1024),
  maxLogFiles: uint(20),
  loggingEnabled: bool(true),
  devErrorsEnabled: bool(true),
  flushResponse: bool(false),
  watchedFiles: string('*.js;iisnode.yml'),
  enableXFF: bool(false),
  promoteServerVars: string(''),
  configOverrides: string('iisnode.yml'),
  recycleSignalEnabled: bool(false),
  idlePageOutTimePeriod: uint(0),
  nodeProcessStickySessions: bool(false),
};
