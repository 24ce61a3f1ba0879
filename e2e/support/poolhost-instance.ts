// Starts a real poolhost (the bundled executables) on a temporary configuration and run directory,
// and ends it — and only it — afterwards.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { processesOfRunDirectory, waitForNoProcesses, type ProcessInfo } from './processes.js';
import { FatalWaitError, waitFor } from './wait.js';
import { tcpAccepts } from './http.js';
import { childExit } from './child-exit.js';

export const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const poolhostBin = join(repositoryRoot, 'packages', 'poolhost', 'dist', 'poolhost.js');

export interface PoolhostOptions {
  /** applicationHost.config text; `{{root}}` is replaced by the instance's folder. */
  config: string;
  /** Files to create under the instance's folder (path relative to it → contents). */
  files?: Record<string, string>;
  /** Ports the test expects to answer; start() waits until every one does (bindings open one by one). */
  waitForPort?: number | number[];
  env?: Record<string, string>;
  /**
   * Socket activation, as systemd does it: these descriptors of the test process become poolhost's
   * 3, 4, … with LISTEN_FDS, LISTEN_FDNAMES and LISTEN_PID (set to poolhost's own pid by an `exec`).
   */
  systemdSockets?: { fd: number; name: string }[];
  /** More `poolhost start` arguments (e.g. `--metrics 127.0.0.1:PORT`). */
  args?: string[];
  /** Runs poolhost through this command (e.g. `ip netns exec NAME`, which keeps the pid). */
  commandPrefix?: string[];
}

export interface LogLine {
  [key: string]: unknown;
  msg?: string;
  eventId?: number;
  service?: string;
}

export class PoolhostInstance {
  readonly root: string;
  readonly runDirectory: string;
  readonly configFile: string;
  private child: ChildProcess | null = null;
  private exitPromise: Promise<number | null> | null = null;
  readonly logLines: LogLine[] = [];
  private stdoutTail = '';
  /** Lines poolhost printed that are not JSON log lines (what a person reads at start). */
  private readonly plainLines: string[] = [];
  stderr = '';

  constructor(private readonly options: PoolhostOptions) {
    this.root = mkdtempSync(join(tmpdir(), 'poolhost-e2e-'));
    this.runDirectory = join(this.root, 'run');
    this.configFile = join(this.root, 'applicationHost.config');
    for (const [path, contents] of Object.entries(options.files ?? {})) {
      const full = join(this.root, path);
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, contents.replaceAll('{{root}}', this.root));
    }
    writeFileSync(this.configFile, options.config.replaceAll('{{root}}', this.root));
  }

  private ownPids(): number[] {
    return this.child?.pid !== undefined && this.child.exitCode === null && this.child.signalCode === null ? [this.child.pid] : [];
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<void> {
    const command = [...(this.options.commandPrefix ?? []), process.execPath, poolhostBin, 'start', '--config', this.configFile, '--run-dir', this.runDirectory, ...(this.options.args ?? [])];
    const sockets = this.options.systemdSockets ?? [];
    const activation = sockets.length === 0 ? {} : { LISTEN_FDS: String(sockets.length), LISTEN_FDNAMES: sockets.map((socket) => socket.name).join(':') };
    // systemd sets LISTEN_PID between fork and exec; a shell that execs keeps its pid, so `$$` is poolhost's.
    const [file, ...args] = sockets.length === 0 ? command : ['/bin/sh', '-c', 'LISTEN_PID=$$ exec "$@"', 'sh', ...command];
    const child = spawn(file!, args, {
      cwd: this.root,
      env: { ...process.env, POOLHOST_LOG_LEVEL: 'info', ...this.options.env, ...activation },
      stdio: ['ignore', 'pipe', 'pipe', ...sockets.map((socket) => socket.fd)],
    });
    this.child = child;
    this.exitPromise = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => this.collect(chunk));
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      this.stderr += chunk;
    });
    const ports = this.options.waitForPort;
    for (const port of ports === undefined ? [] : [ports].flat()) {
      await waitFor(`poolhost to answer on port ${port}`, async () => {
        if (child.exitCode !== null) throw new FatalWaitError(`poolhost exited with ${child.exitCode}: ${this.stderr}${this.stdoutTail}`);
        // A bare TCP connect: an HTTP request would demand-start a worker before the test looks.
        return tcpAccepts(port);
      }, 45_000); // four services start before the port answers: seconds on a loaded 2-core CI machine
    }
  }

  private collect(chunk: string): void {
    this.stdoutTail += chunk;
    let newline = this.stdoutTail.indexOf('\n');
    while (newline !== -1) {
      const line = this.stdoutTail.slice(0, newline);
      this.stdoutTail = this.stdoutTail.slice(newline + 1);
      if (!line.startsWith('{')) this.plainLines.push(line);
      if (line.startsWith('{')) {
        try {
          this.logLines.push(JSON.parse(line) as LogLine);
        } catch {
          // a non-JSON line from a child; kept out of the structured list
        }
      }
      newline = this.stdoutTail.indexOf('\n');
    }
  }

  /** What poolhost printed besides its JSON log lines. */
  stdoutText(): string {
    return this.plainLines.join('\n');
  }

  /** Log lines that carry an IIS event id. */
  events(eventId: number): LogLine[] {
    return this.logLines.filter((line) => line.eventId === eventId);
  }

  async waitForEvent(eventId: number, count = 1, timeoutMs = 10_000): Promise<LogLine[]> {
    await waitFor(`event ${eventId} x${count}`, () => this.events(eventId).length >= count, timeoutMs);
    return this.events(eventId);
  }

  /** The processes of this instance still alive (services and workers), found through /proc. */
  processes(): ProcessInfo[] {
    return processesOfRunDirectory(this.runDirectory, this.ownPids());
  }

  workers(applicationPool?: string): ProcessInfo[] {
    return this.processes().filter(
      (info) => info.role === 'w3wp' && (applicationPool === undefined || info.applicationPool === applicationPool),
    );
  }

  /** Runs `poolhost <args>` against this instance and returns its exit code and output. */
  async cli(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const child = spawn(process.execPath, [poolhostBin, ...args, '--run-dir', this.runDirectory], {
      env: { ...process.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const { code } = await childExit(child);
    return { code, stdout, stderr };
  }

  /** Stops poolhost with SIGTERM and waits for it; then ends anything of this instance still alive. */
  async stop(): Promise<{ exitCode: number | null; leftovers: ProcessInfo[] }> {
    let exitCode: number | null = null;
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      // unref'd: a pending timer would keep the test file's process alive for its whole length.
      exitCode = await Promise.race([this.exitPromise!, new Promise<null>((resolve) => setTimeout(() => resolve(null), 20_000).unref())]);
    } else if (this.child) {
      exitCode = this.child.exitCode;
    }
    const leftovers = await waitForNoProcesses(this.runDirectory, 3_000, this.ownPids());
    for (const info of leftovers) {
      try {
        process.kill(info.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    return { exitCode, leftovers };
  }

  async waitForExit(timeoutMs: number): Promise<number | null> {
    return Promise.race([this.exitPromise!, new Promise<null>((_, reject) => setTimeout(() => reject(new Error('poolhost did not exit')), timeoutMs).unref())]);
  }

  cleanup(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** Creates, starts and registers the instance for teardown with the test's `after` hook. */
export async function startPoolhost(options: PoolhostOptions, after: (fn: () => Promise<void>) => void): Promise<PoolhostInstance> {
  const instance = new PoolhostInstance(options);
  after(async () => {
    await instance.stop();
    instance.cleanup();
  });
  await instance.start();
  return instance;
}
