// wrk (Debian's package; installed with apt-get when missing) as the load generator, and its report parsed.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface LoadResult {
  requestsPerSecond: number;
  requests: number;
  p50Ms: number;
  p99Ms: number;
  /** Socket errors (connect, read, write, timeout) plus non-2xx/3xx responses. */
  errors: number;
  seconds: number;
}

export function commandExists(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

let aptUpdated = false;

/** Installs a Debian package with apt-get when its command is missing (root only). */
export function ensureDebianPackage(command: string, packageName: string): void {
  if (commandExists(command)) return;
  console.log(`installing ${packageName} with apt-get (${command} is missing)…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  aptUpdated = true;
  execFileSync('apt-get', ['install', '-y', '-qq', packageName], { stdio: 'inherit', env });
  if (!commandExists(command)) throw new Error(`${packageName} installed but ${command} is still missing`);
}

function milliseconds(text: string): number {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(text.trim());
  if (!match) return Number.NaN;
  const value = Number(match[1]);
  return match[2] === 'us' ? value / 1000 : match[2] === 'ms' ? value : match[2] === 's' ? value * 1000 : value * 60_000;
}

export function parseWrk(output: string): LoadResult {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(output);
  const total = /(\d+) requests in ([\d.]+)(\w+)/.exec(output);
  const p50 = /^\s+50%\s+(\S+)/m.exec(output);
  const p99 = /^\s+99%\s+(\S+)/m.exec(output);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(output);
  if (!rps || !total) throw new Error(`could not read wrk's report:\n${output}`);
  const errors = (socket ? socket.slice(1).reduce((sum, value) => sum + Number(value), 0) : 0) + (non2xx ? Number(non2xx[1]) : 0);
  return {
    requestsPerSecond: Number(rps[1]),
    requests: Number(total[1]),
    p50Ms: p50 ? milliseconds(p50[1]!) : Number.NaN,
    p99Ms: p99 ? milliseconds(p99[1]!) : Number.NaN,
    errors,
    seconds: milliseconds(`${total[2]}${total[3]}`) / 1000,
  };
}

export interface LoadOptions {
  url: string;
  connections: number;
  seconds: number;
  /** A request body (POST) of this many bytes. */
  postBytes?: number;
  threads?: number;
  workDirectory: string;
}

export interface H2LoadOptions {
  url: string;
  clients: number;
  /** Concurrent streams per connection (`-m`). */
  streams: number;
  seconds: number;
  workDirectory: string;
}

/** The `p`-th percentile (0–100) of ascending `sorted`. */
function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/**
 * h2load's report, and latencies from its per-request log (`--log-file`: start µs, status, µs until the
 * response ended), which give the percentiles h2load itself does not print.
 */
export function parseH2load(output: string, log: string): LoadResult {
  const finished = /finished in ([\d.]+)(\w+), ([\d.]+) req\/s/.exec(output);
  const requests = /requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout/.exec(output);
  const statuses = /status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx/.exec(output);
  if (!finished || !requests) throw new Error(`could not read h2load's report:\n${output}`);
  // A client that cannot negotiate h2 (ALPN, the handshake) completes nothing and counts no error.
  if (Number(requests[4]) === 0) throw new Error(`h2load completed no request:\n${output}`);
  const latencies: number[] = [];
  for (const line of log.split('\n')) {
    const fields = line.split('\t');
    if (fields.length >= 3) latencies.push(Number(fields[2]) / 1000);
  }
  latencies.sort((a, b) => a - b);
  const errors = Number(requests[5]) + Number(requests[6]) + Number(requests[7]) + (statuses ? Number(statuses[3]) + Number(statuses[4]) : 0);
  return {
    requestsPerSecond: Number(finished[3]),
    requests: Number(requests[4]),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    errors,
    seconds: milliseconds(`${finished[1]}${finished[2]}`) / 1000,
  };
}

/** Runs h2load (Debian's nghttp2-client) for `seconds` over HTTP/2 (ALPN h2; it does not verify certificates). */
export function runH2load(options: H2LoadOptions): Promise<LoadResult> {
  const log = join(options.workDirectory, `h2load-${process.pid}-${Date.now()}.log`);
  const args = ['-t', '1', '-c', String(options.clients), '-m', String(options.streams), '-D', String(options.seconds), '--log-file', log, options.url];
  return new Promise((resolve, reject) => {
    const child = spawn('h2load', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.once('error', reject);
    child.once('exit', () => {
      try {
        const text = existsSync(log) ? readFileSync(log, 'utf8') : '';
        rmSync(log, { force: true });
        resolve(parseH2load(output, text));
      } catch (error) {
        reject(error);
      }
    });
  });
}

/** Runs wrk to completion. */
export function runWrk(options: LoadOptions): Promise<LoadResult> {
  const args = ['-t', String(options.threads ?? 1), '-c', String(options.connections), '-d', `${options.seconds}s`, '--latency', '--timeout', '10s'];
  if (options.postBytes) {
    const script = join(options.workDirectory, `post-${options.postBytes}.lua`);
    writeFileSync(script, `wrk.method = "POST"\nwrk.body = string.rep("x", ${options.postBytes})\nwrk.headers["Content-Type"] = "application/octet-stream"\n`);
    args.push('-s', script);
  }
  args.push(options.url);
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.once('error', reject);
    child.once('exit', () => {
      try {
        resolve(parseWrk(output));
      } catch (error) {
        reject(error);
      }
    });
  });
}
