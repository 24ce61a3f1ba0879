// pino loggers with poolhost's fixed binding keys. Services write JSON lines to stdout; `poolhost`
// collects its children's lines and pretty-prints them when it runs on a terminal.
import { pino, destination as pinoDestination, stdTimeFunctions, type Logger } from 'pino';

export type { Logger } from 'pino';

export type ServiceName = 'poolhost' | 'httpsys' | 'w3svc' | 'was' | 'w3wp' | 'appcmd';

export interface LoggerOptions {
  service: ServiceName;
  /** `POOLHOST_LOG_LEVEL`, default `info`. */
  level?: string;
  destination?: NodeJS.WritableStream;
  /** Extra fixed bindings such as `pool`. */
  bindings?: Record<string, string | number>;
}

export function createLogger(options: LoggerOptions): Logger {
  const level = options.level ?? process.env.POOLHOST_LOG_LEVEL ?? 'info';
  const base = { service: options.service, pid: process.pid, ...options.bindings };
  const destination = options.destination ?? pinoDestination({ dest: 1, sync: false });
  return pino({ level, base, timestamp: stdTimeFunctions.isoTime }, destination as never);
}
