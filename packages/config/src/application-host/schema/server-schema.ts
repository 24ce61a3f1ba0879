// Server-wide elements: `webLimits` (reference §4.4) and poolhost's `httpSys` extension, which holds
// HTTP.SYS's registry parameters (reference §7.4, KB820129).

import { bool, enumOf, INT_MAX, string, timeSpan, uint, UINT_MAX } from '../../values/attribute-type.js';
import type { ElementSchema } from '../../values/attribute-type.js';

export const WEB_LIMITS_SCHEMA: ElementSchema = {
  connectionTimeout: timeSpan('00:02:00', 0, 4294967),
  headerWaitTimeout: timeSpan('00:00:00', 0, 4294967),
  minBytesPerSecond: uint(240),
  maxGlobalBandwidth: uint(UINT_MAX),
  demandStartThreshold: uint(INT_MAX, 0, INT_MAX),
  dynamicIdleThreshold: uint(0),
  dynamicRegistrationThreshold: uint(100),
};

export const WEB_MANAGEMENT_SCHEMA: ElementSchema = {
  ipAddress: string('127.0.0.1'),
  port: uint(0, 0, 65535),
  enableRemoteManagement: bool(false),
  /** HAProxy's agent-check (`agent-check agent-port N`) on the same IP: one line per check. 0: not answered. */
  agentCheckPort: uint(0, 0, 65535),
  /** A pool whose queue holds this percentage of its queueLength or more is not ready for new work. */
  readyQueuePercent: uint(50, 1, 100),
  /** `poolhost drain`: how long the health answers say drain before new connections are refused (Caddy's shutdown_delay). */
  drainDelay: timeSpan('00:00:05', 0, 3600),
  /** `poolhost drain`: how long in-flight requests get once the listeners closed; then connections are cut. */
  drainTimeLimit: timeSpan('00:01:30', 1, 4294967),
};

export const HTTP_SYS_SCHEMA: ElementSchema = {
  maxFieldLength: uint(16384, 64, 65534),
  maxRequestBytes: uint(16384, 256, 16777216),
  urlSegmentMaxLength: uint(260, 0, 32766),
  urlSegmentMaxCount: uint(255, 0, 16383),
  enableErrorLogging: bool(true),
  /** '' means `<logs>/HTTPERR`, logs being where `%SystemDrive%\inetpub\logs\LogFiles` maps to. */
  errorLoggingDir: string(''),
  errorLogFileTruncateSize: uint(1048576, 1048576, UINT_MAX),
  // HTTP/2 (reference iis-2.md §1.6): EnableHttp2Tls / EnableHttp2Cleartext as HTTP.SYS names them.
  enableHttp2Tls: bool(true),
  enableHttp2Cleartext: bool(false),
  /** SETTINGS_MAX_CONCURRENT_STREAMS each HTTP/2 connection is offered. */
  http2MaxConcurrentStreams: uint(100, 1, 1000),
  /** Streams a client may cancel (RST_STREAM before its response is complete) per minute before its connection is cut (CVE-2023-44487). */
  http2MaxStreamResetsPerMinute: uint(1000, 1, UINT_MAX),
  /** SETTINGS_HEADER_TABLE_SIZE: the HPACK dynamic table a client's encoder may fill on each connection (RFC 7541 §4.2). */
  http2HeaderTableSize: uint(4096, 0, 65536),
  /** The kernel response cache (reference iis-2.md §2.4): on/off, largest response, idle seconds before an entry is flushed. */
  uriEnableCache: bool(true),
  uriMaxUriBytes: uint(262144, 4096, 16777216),
  uriScavengerPeriod: uint(120, 10, UINT_MAX),
};

/** poolhost's `automaticCertificates` extension (ACME; docs/https.md). Every attribute it does not know is refused. */
export const AUTOMATIC_CERTIFICATES_SCHEMA: ElementSchema = {
  directoryUrl: string(''),
  contact: string(''),
  termsOfServiceAgreed: bool(false),
  caBundle: string(''),
  /** '' means the folder `acme` beside applicationHost.config. */
  certificateStoreLocation: string(''),
  keyType: enumOf(['EcdsaP256', 'Rsa2048'], 'EcdsaP256'),
  renewBefore: timeSpan('30.00:00:00', 0, 365 * 86400),
  checkInterval: timeSpan('01:00:00', 1, 86400),
  retryInterval: timeSpan('00:01:00', 1, 86400),
  maxRetryInterval: timeSpan('1.00:00:00', 1, 7 * 86400),
  /** The RFC 8555 / RFC 8737 challenge the CA validates every name with. */
  challengeType: enumOf(['http-01', 'tls-alpn-01', 'dns-01'], 'http-01'),
  /** dns-01 (win-acme's script validation): the command that publishes the TXT record, and its arguments. */
  dnsCreateScript: string(''),
  dnsCreateScriptArguments: string('create {Identifier} {RecordName} {Token}'),
  /** The command that removes it once the CA has validated ('' = none). */
  dnsDeleteScript: string(''),
  dnsDeleteScriptArguments: string('delete {Identifier} {RecordName} {Token}'),
  /** How long a DNS script may run before it is killed and the order fails. */
  dnsScriptTimeout: timeSpan('00:02:00', 1, 3600),
  /** The wait between the create script's success and asking the CA to validate (DNS propagation). */
  dnsPropagationDelay: timeSpan('00:00:00', 0, 3600),
};

/** The attributes that only dns-01 uses (refused with another challengeType: they would not be honoured). */
export const DNS_CHALLENGE_ATTRIBUTES = [
  'dnsCreateScript',
  'dnsCreateScriptArguments',
  'dnsDeleteScript',
  'dnsDeleteScriptArguments',
  'dnsScriptTimeout',
  'dnsPropagationDelay',
] as const;
