// poolhost's stdout: its own log lines and every service's JSON lines, pretty-printed on a terminal
// (pino-pretty) and passed through as raw JSON otherwise.
import { createInterface } from 'node:readline';
import { createRequire } from 'node:module';
import type { Readable, Writable } from 'node:stream';

// pino-pretty (with its colour, date and JSON-parsing modules: ≈10 MB of RSS) is loaded only when the
// output is pretty, on a terminal; poolhost under a supervisor or in a test writes JSON and never loads it.
type PinoPrettyFactory = typeof import('pino-pretty');
const requireModule = createRequire(import.meta.url);

export interface LogOutput {
  /** Where poolhost's own logger writes. */
  readonly stream: NodeJS.WritableStream;
  /** Forwards a service's output line by line; lines that are not JSON are wrapped in one. */
  forward(stream: Readable | null | undefined, service: string, streamName: 'stdout' | 'stderr'): void;
}

export function createLogOutput(destination: Writable & { isTTY?: boolean } = process.stdout, pretty = Boolean(destination.isTTY)): LogOutput {
  const stream: NodeJS.WritableStream = pretty
    ? (requireModule('pino-pretty') as PinoPrettyFactory)({
        colorize: true,
        destination,
        sync: true,
        translateTime: 'SYS:HH:MM:ss.l',
        singleLine: true,
        ignore: 'hostname,service,pid',
        messageFormat: '{service}[{pid}]: {msg}',
      })
    : destination;
  return {
    stream,
    forward(input, service, streamName) {
      if (!input) return;
      const lines = createInterface({ input, crlfDelay: Infinity });
      lines.on('line', (line) => {
        if (line.length === 0) return;
        stream.write(isJsonObject(line) ? line + '\n' : wrap(line, service, streamName));
      });
    },
  };
}

function isJsonObject(line: string): boolean {
  if (!line.startsWith('{') || !line.endsWith('}')) return false;
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}

function wrap(line: string, service: string, streamName: 'stdout' | 'stderr'): string {
  return (
    JSON.stringify({
      level: streamName === 'stderr' ? 50 : 30,
      time: new Date().toISOString(),
      service,
      stream: streamName,
      msg: line,
    }) + '\n'
  );
}
