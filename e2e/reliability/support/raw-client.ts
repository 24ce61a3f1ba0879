// Raw sockets for the reliability suite: a request with its client port (to find its HTTPERR line),
// many at once with bounded concurrency, and HTTPERR log reading.
import { connect } from 'node:net';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface RawExchange {
  clientPort: number;
  response: string;
  /** Status of the first response on the connection, 0 when the server answered nothing. */
  status: number;
  /** The server closed the connection (rather than the client timing out). */
  closedByServer: boolean;
  elapsedMs: number;
}

export function rawExchange(port: number, data: Buffer | string, timeoutMs = 5_000): Promise<RawExchange> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let clientPort = 0;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      socket.destroy();
    }, timeoutMs);
    socket.on('connect', () => {
      clientPort = socket.localPort ?? 0;
      socket.write(data);
    });
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      const response = Buffer.concat(chunks).toString('latin1');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(response)?.[1] ?? 0);
      resolve({ clientPort, response, status, closedByServer: !timedOut, elapsedMs: Date.now() - started });
    });
  });
}

/** Runs `jobs` with at most `concurrency` at a time, keeping the order of results. */
export async function inParallel<T, R>(items: readonly T[], concurrency: number, job: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await job(items[index]!);
      }
    }),
  );
  return results;
}

export interface HttpErrEntry {
  clientPort: number;
  method: string;
  uri: string;
  status: string;
  reason: string;
  queueName: string;
  line: string;
}

/** Every record of every `httperr*.log` in the folder. */
export function readHttpErr(directory: string): HttpErrEntry[] {
  let names: string[];
  try {
    names = readdirSync(directory).filter((name) => /^httperr\d+\.log$/.test(name));
  } catch {
    return [];
  }
  const entries: HttpErrEntry[] = [];
  for (const name of names) {
    for (const line of readFileSync(join(directory, name), 'latin1').split(/\r?\n/)) {
      if (line === '' || line.startsWith('#')) continue;
      const fields = line.split(' ');
      // date time c-ip c-port s-ip s-port cs-version cs-method cs-uri streamid sc-status s-siteid s-reason s-queuename
      entries.push({ clientPort: Number(fields[3]), method: fields[7]!, uri: fields[8]!, status: fields[10]!, reason: fields[12]!, queueName: fields[13]!, line });
    }
  }
  return entries;
}

/** Resident set size of a process in KiB (VmRSS). */
export function rssKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'latin1');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
}
