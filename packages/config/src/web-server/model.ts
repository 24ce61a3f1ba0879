// Typed model of the `system.webServer` sections the worker runs on (reference §6, §11), with IIS's
// schema defaults. Built per (site, URL path) by getEffectiveWebServerConfig from applicationHost.config
// (global sections and matching <location> tags) and the web.config files along the path.

import type { SourcePosition } from '../model.js';
import type { ConfigIssue } from '../validation/config-error.js';

/** An element kept as written (attributes + children), for sections poolhost does not type (`rewrite`, `iisnode`, …). */
export interface RawElement {
  name: string;
  attributes: Record<string, string>;
  children: RawElement[];
  position: SourcePosition;
}

export type OverrideMode = 'Allow' | 'Deny' | 'Inherit';
export type AllowDefinition = 'MachineOnly' | 'MachineToWebRoot' | 'MachineToApplication' | 'AppHostOnly' | 'Everywhere';

/** A `<section>` registered in `<configSections>`, e.g. `system.webServer/handlers`. */
export interface SectionDefinition {
  path: string;
  overrideModeDefault: 'Allow' | 'Deny';
  allowDefinition: AllowDefinition;
}

/** A `<location path="…">` tag and the sections it holds (keyed by section path). */
export interface ConfigLocation {
  /** As written: '' or '.' is the file's own level, else `Site` or `Site/app/dir`. */
  path: string;
  overrideMode: OverrideMode;
  /** `inheritInChildApplications="false"`: the sections stop at child applications below the path. */
  inheritInChildApplications: boolean;
  sections: Record<string, RawElement>;
  position: SourcePosition;
  /** A 500.19 this tag gives wherever it applies (`allowOverride` and `overrideMode` both set). */
  fault?: ConfigurationFault;
}

/** The configuration sections one file declares (outside and inside location tags). */
export interface ConfigFileSections {
  file: string;
  /** Sections outside any location tag, keyed by section path (`system.webServer/handlers`). */
  sections: Record<string, RawElement>;
  locations: ConfigLocation[];
  /** Section groups and sections registered in this file's `<configSections>`. */
  sectionGroups: string[];
  sectionDefinitions: Record<string, SectionDefinition>;
  /** A 500.19 the file's own sections (outside location tags) give wherever the file applies: an unrecognized attribute. */
  fault?: ConfigurationFault;
  /** IIS settings of a web.config that poolhost does not honour (applicationHost.config's are on its model's `warnings`). */
  warnings?: ConfigIssue[];
}

export type ResourceType = 'File' | 'Directory' | 'Either' | 'Unspecified';
export type RequireAccess = 'None' | 'Read' | 'Write' | 'Script' | 'Execute';
export type AccessPolicy = 'Read' | 'Write' | 'Execute' | 'Source' | 'Script' | 'NoRemoteWrite' | 'NoRemoteRead' | 'NoRemoteExecute' | 'NoRemoteScript';

export interface HttpHandlerEntry {
  name: string;
  path: string;
  verb: string;
  type: string;
  modules: string;
  scriptProcessor: string;
  resourceType: ResourceType;
  requireAccess: RequireAccess;
  allowPathInfo: boolean;
  preCondition: string;
  responseBufferLimit: number;
  position: SourcePosition;
}

export interface HandlersSection {
  accessPolicy: AccessPolicy[];
  /** Effective order: child levels' entries first (mergeAppend="false"). */
  handlers: HttpHandlerEntry[];
}

export interface HttpModuleEntry {
  name: string;
  type: string;
  preCondition: string;
  position: SourcePosition;
}

export interface ModulesSection {
  runAllManagedModulesForAllRequests: boolean;
  runManagedModulesForWebDavRequests: boolean;
  modules: HttpModuleEntry[];
}

export interface DefaultDocumentSection {
  enabled: boolean;
  /** Effective order: child levels' files first (mergeAppend="false"). */
  files: string[];
}

export type DirectoryBrowseShowFlag = 'Date' | 'Time' | 'Size' | 'Extension' | 'LongDate';

export interface DirectoryBrowseSection {
  enabled: boolean;
  showFlags: DirectoryBrowseShowFlag[];
}

export type ErrorMode = 'DetailedLocalOnly' | 'Custom' | 'Detailed';
export type ExistingResponse = 'Auto' | 'Replace' | 'PassThrough';
export type ResponseMode = 'File' | 'ExecuteURL' | 'Redirect';

export interface HttpErrorEntry {
  statusCode: number;
  /** -1 = any substatus. */
  subStatusCode: number;
  path: string;
  prefixLanguageFilePath: string;
  responseMode: ResponseMode;
}

export interface HttpErrorsSection {
  errorMode: ErrorMode;
  existingResponse: ExistingResponse;
  defaultResponseMode: ResponseMode;
  defaultPath: string;
  detailedMoreInformationLink: string;
  allowAbsolutePathsWhenDelegated: boolean;
  errors: HttpErrorEntry[];
}

export interface RequestFilteringSection {
  allowDoubleEscaping: boolean;
  allowHighBitCharacters: boolean;
  unescapeQueryString: boolean;
  removeServerHeader: boolean;
  fileExtensions: { allowUnlisted: boolean; applyToWebDAV: boolean; entries: Array<{ fileExtension: string; allowed: boolean }> };
  hiddenSegments: { applyToWebDAV: boolean; segments: string[] };
  denyUrlSequences: string[];
  verbs: { allowUnlisted: boolean; applyToWebDAV: boolean; entries: Array<{ verb: string; allowed: boolean }> };
  requestLimits: {
    maxAllowedContentLength: number;
    maxUrl: number;
    maxQueryString: number;
    headerLimits: Array<{ header: string; sizeLimit: number }>;
  };
  denyQueryStringSequences: string[];
  alwaysAllowedUrls: string[];
  alwaysAllowedQueryStrings: string[];
}

export type CacheControlMode = 'NoControl' | 'DisableCache' | 'UseMaxAge' | 'UseExpires';

export interface StaticContentSection {
  enableDocFooter: boolean;
  defaultDocFooter: string;
  isDocFooterFileName: boolean;
  mimeMaps: Array<{ fileExtension: string; mimeType: string }>;
  clientCache: {
    cacheControlMode: CacheControlMode;
    /** ms */
    cacheControlMaxAge: number;
    httpExpires: string;
    cacheControlCustom: string;
    setEtag: boolean;
  };
}

export interface HttpLoggingSection {
  dontLog: boolean;
  selectiveLogging: 'LogAll' | 'LogSuccessful' | 'LogError';
}

/** A `caching/profiles` entry: the output (user-mode) and kernel policies for one file extension (`*` for all). */
export type CachePolicy = 'DontCache' | 'CacheUntilChange' | 'CacheForTimePeriod' | 'DisableCache';
export interface CacheProfile {
  extension: string;
  policy: CachePolicy;
  kernelCachePolicy: CachePolicy;
  /** ms, for CacheForTimePeriod. */
  duration: number;
  location: string;
  varyByHeaders: string;
  varyByQueryString: string;
}

/** `system.webServer/caching` (reference iis-2.md §2.1). */
export interface CachingSection {
  enabled: boolean;
  enableKernelCache: boolean;
  /** MB; 0 = sized by httpsys. Effective only in applicationHost.config. */
  maxCacheSize: number;
  /** bytes: the largest response the caches take. */
  maxResponseSize: number;
  profiles: CacheProfile[];
}

/** `system.webServer/serverRuntime`: when a URL is frequently hit (only such URLs are cached). */
export interface ServerRuntimeSection {
  frequentHitThreshold: number;
  /** ms */
  frequentHitTimePeriod: number;
}

export type TraceVerbosity = 'General' | 'CriticalError' | 'Error' | 'Warning' | 'Information' | 'Verbose';

export interface TraceFailedRequestsRule {
  path: string;
  customActionExe: string;
  customActionParams: string;
  customActionTriggerLimit: number;
  traceAreas: Array<{ provider: string; areas: string; verbosity: TraceVerbosity }>;
  failureDefinitions: {
    /** As written, e.g. `"404.2, 500"` or `"400-599"`. */
    statusCodes: string;
    /** ms; 0 = off. */
    timeTaken: number;
    traceAllAfterTimeout: boolean;
    verbosity: 'Ignore' | 'CriticalError' | 'Error' | 'Warning';
  };
}

export interface WebServerConfig {
  handlers: HandlersSection;
  modules: ModulesSection;
  defaultDocument: DefaultDocumentSection;
  directoryBrowse: DirectoryBrowseSection;
  httpErrors: HttpErrorsSection;
  requestFiltering: RequestFilteringSection;
  staticContent: StaticContentSection;
  httpLogging: HttpLoggingSection;
  caching: CachingSection;
  serverRuntime: ServerRuntimeSection;
  traceFailedRequests: TraceFailedRequestsRule[];
  /**
   * Every `system.webServer` section after merging, typed or not, keyed by section path without the
   * `system.webServer/` prefix (`handlers`, `security/requestFiltering`, `rewrite/rules`, `iisnode`).
   */
  sections: Record<string, RawElement>;
}

/** HTTP 500.19: the configuration for this URL cannot be used (IIS's wording, reference §5). */
export interface ConfigurationFault {
  httpStatus: 500;
  subStatus: 19;
  /** `0x80070021` locked section or lock violation, `0x8007000d` malformed XML or bad value, `0x800700b7` duplicate collection entry. */
  errorCode: string;
  message: string;
  file: string;
  line: number;
  column: number;
  /** The section the fault is in, when known (`system.webServer/handlers`). */
  section?: string;
}

export type EffectiveWebServerConfig =
  | {
      ok: true;
      config: WebServerConfig;
      files: string[];
      /**
       * Names (lower-case) of the URL segments right below this path that a `<location path>` tag
       * configures on its own — a single file (`<location path="dir/report.txt">`) or a folder. A request
       * for such a file is configured with its own path, not only its folder's.
       */
      locatedBelow: string[];
      /** Settings of the web.config files read that poolhost does not honour; with a cache, each file's only the first time. */
      warnings: ConfigIssue[];
    }
  | { ok: false; fault: ConfigurationFault; files: string[]; warnings: ConfigIssue[] };
