// HTTP.SYS' parsing limits and timers (reference §7.3, §7.4), with HTTP.SYS' defaults until w3svc sends
// the configured ones.
import type { ListenerLimits } from '@poolhost/protocol';

export const HEADER_WAIT_DEFAULT_MS = 120_000;

export function defaultListenerLimits(): ListenerLimits {
  return {
    headerWaitTimeout: 0,
    connectionTimeout: 120_000,
    minBytesPerSecond: 240,
    maxFieldLength: 16_384,
    maxRequestBytes: 16_384,
    urlSegmentMaxLength: 260,
    urlSegmentMaxCount: 255,
    enableErrorLogging: true,
    errorLoggingDir: '',
    errorLogFileTruncateSize: 1_048_576,
    enableHttp2Tls: true,
    enableHttp2Cleartext: false,
    http2MaxConcurrentStreams: 100,
    http2MaxStreamResetsPerMinute: 1000,
    http2HeaderTableSize: 4096,
    uriEnableCache: true,
    uriMaxUriBytes: 262144,
    uriScavengerPeriod: 120,
    maxCacheSize: 0,
  };
}

/** `headerWaitTimeout` 0 means HTTP.SYS' own default of two minutes. */
export function headerWaitMs(limits: ListenerLimits): number {
  return limits.headerWaitTimeout > 0 ? limits.headerWaitTimeout : HEADER_WAIT_DEFAULT_MS;
}
