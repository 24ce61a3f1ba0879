// pino loggers with poolhost's fixed binding keys. Services write JSON lines to stdout; `poolhost`
// collects its children's lines and pretty-prints them when it runs on a terminal.
import { pino, stdTimeFunctions, type Logger } from 'pino';

export type { Logger } from 'pino';

export type ServiceName = 'poolhost' | 'httpsys' | 'w3svc' | 'was' | 'w3wp' | 'appcmd' | 'inetmgr' | 'nettcpactivator';

export interface LoggerOptions {
  service: ServiceName;
  /** `POOLHOST_LOG_LEVEL`, default `info`. */
  level?: string;
  destination?: NodeJS.WritableStream;
  /** Extra fixed bindings such as `pool`. */
  bindings?: Record<string, string | number>;
}

let stdoutGuarded = false;

/**
 * Services log to process.stdout (synchronous for pipes and sockets on Linux; logs are lifecycle
 * events, never per request). When the reader is gone — poolhost was SIGKILLed — writes fail with
 * EPIPE: the lines are dropped and the process carries on to its own exit. pino's default
 * destination (sonic-boom) instead retries the failed write forever in its exit flush, which kept
 * services alive after poolhost died.
 */
function stdoutDestination(): NodeJS.WritableStream {
  if (!stdoutGuarded) {
    stdoutGuarded = true;
    process.stdout.on('error', () => undefined);
  }
  return process.stdout;
}

export function createLogger(options: LoggerOptions): Logger {
  const level = options.level ?? process.env.POOLHOST_LOG_LEVEL ?? 'info';
  const base = { service: options.service, pid: process.pid, ...options.bindings };
  const destination = options.destination ?? stdoutDestination();
  return pino({ level, base, timestamp: stdTimeFunctions.isoTime }, destination as never);
}
