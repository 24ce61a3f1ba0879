// IIS 10 schema of `system.applicationHost/sites` (reference §4.1–4.5, §11).

import { bool, enumOf, flagsOf, string, timeSpan, uint, UINT_MAX } from '../../values/attribute-type.js';
import type { ElementSchema } from '../../values/attribute-type.js';

export const SITE_SCHEMA: ElementSchema = {
  serverAutoStart: bool(true),
};

export const BINDING_SCHEMA: ElementSchema = {
  sslFlags: uint(0, 0, 127),
  /** poolhost extension: `acme` = issued by `<automaticCertificates>`; `sslStore` = the SSL store as in IIS. */
  certificateSource: enumOf(['sslStore', 'acme'], 'sslStore'),
  /**
   * poolhost extension: `required` = every connection to this binding's port opens with a PROXY protocol
   * header (v1 or v2, HAProxy's `send-proxy`/`send-proxy-v2`) naming the client the balancer saw.
   */
  proxyProtocol: enumOf(['none', 'required'], 'none'),
};

export const SITE_LIMITS_SCHEMA: ElementSchema = {
  maxBandwidth: uint(UINT_MAX, 1024, UINT_MAX),
  maxConnections: uint(UINT_MAX),
  connectionTimeout: timeSpan('00:02:00', 0, 4294967),
  maxUrlSegments: uint(32, 0, 16383),
};

/** `<hsts>` of a site and of siteDefaults (IIS 10 version 1709; reference iis-2.md §1.5). */
export const HSTS_SCHEMA: ElementSchema = {
  enabled: bool(false),
  'max-age': uint(0),
  includeSubDomains: bool(false),
  preload: bool(false),
  redirectHttpToHttps: bool(false),
};

export const LOG_EXT_FILE_FLAGS = [
  'Date', 'Time', 'ClientIP', 'UserName', 'SiteName', 'ComputerName', 'ServerIP', 'Method', 'UriStem', 'UriQuery',
  'HttpStatus', 'Win32Status', 'BytesSent', 'BytesRecv', 'TimeTaken', 'ServerPort', 'UserAgent', 'Cookie', 'Referer',
  'ProtocolVersion', 'Host', 'HttpSubStatus',
] as const;

export const DEFAULT_LOG_DIRECTORY = '%SystemDrive%\\inetpub\\logs\\LogFiles';
export const DEFAULT_FAILED_REQUEST_LOG_DIRECTORY = '%SystemDrive%\\inetpub\\logs\\FailedReqLogFiles';

export const LOG_FILE_SCHEMA: ElementSchema = {
  logFormat: enumOf(['IIS', 'NCSA', 'W3C', 'Custom'], 'W3C'),
  directory: string(DEFAULT_LOG_DIRECTORY),
  period: enumOf(['MaxSize', 'Daily', 'Weekly', 'Monthly', 'Hourly'], 'Daily'),
  truncateSize: uint(20971520, 1048576, UINT_MAX),
  localTimeRollover: bool(false),
  enabled: bool(true),
  logExtFileFlags: flagsOf(LOG_EXT_FILE_FLAGS, [
    'Date', 'Time', 'ClientIP', 'UserName', 'ServerIP', 'Method', 'UriStem', 'UriQuery', 'TimeTaken', 'HttpStatus',
    'Win32Status', 'ServerPort', 'UserAgent', 'HttpSubStatus', 'Referer',
  ]),
  logSiteId: bool(true),
};

export const TRACE_FAILED_REQUESTS_LOGGING_SCHEMA: ElementSchema = {
  enabled: bool(false),
  directory: string(DEFAULT_FAILED_REQUEST_LOG_DIRECTORY),
  maxLogFiles: uint(50, 1, 10000),
};

export const APPLICATION_SCHEMA: ElementSchema = {
  applicationPool: string('DefaultAppPool'),
  enabledProtocols: string('http'),
  preloadEnabled: bool(false),
  serviceAutoStartEnabled: bool(false),
  serviceAutoStartProvider: string(''),
};

export const VIRTUAL_DIRECTORY_SCHEMA: ElementSchema = {
  physicalPath: string(''),
  userName: string(''),
  logonMethod: enumOf(['Interactive', 'Batch', 'Network', 'ClearText'], 'ClearText'),
  allowSubDirConfig: bool(true),
};
