// Forwards a worker's stdout/stderr to was's stdout: JSON log lines pass through with the pool and
// worker pid added, anything else is wrapped in a log line of its own.
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { Logger } from '@poolhost/common';

export interface WorkerOutputContext {
  applicationPool: string;
  pid: number;
  workerId: string;
  logger: Logger;
  write(line: string): void;
}

export function forwardWorkerOutput(stream: Readable | null | undefined, streamName: 'stdout' | 'stderr', context: WorkerOutputContext): void {
  if (!stream) return;
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  lines.on('line', (line) => {
    if (line.length === 0) return;
    const json = parseJsonObject(line);
    if (json) {
      json.pool ??= context.applicationPool;
      json.pid ??= context.pid;
      json.workerId ??= context.workerId;
      context.write(JSON.stringify(json) + '\n');
      return;
    }
    const level = streamName === 'stderr' ? 'warn' : 'info';
    context.logger[level]({ pool: context.applicationPool, workerPid: context.pid, workerId: context.workerId, stream: streamName }, `[${context.applicationPool} ${context.pid}] ${line}`);
  });
}

function parseJsonObject(line: string): Record<string, unknown> | null {
  if (!line.startsWith('{')) return null;
  try {
    const value: unknown = JSON.parse(line);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
