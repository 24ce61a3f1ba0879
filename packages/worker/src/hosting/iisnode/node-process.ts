// One Node process of an iisnode application (iisnode's CNodeProcess): spawned by w3wp with the
// interceptor in front of the entry script, in the script's folder, with PORT naming the Unix socket it
// serves on (iisnode's named pipe), the application's environment (NODE_ENV, appSettings,
// IISNODE_VERSION, IISNODE_CONTROL_PIPE), and its stdout/stderr going to the log directory. It is ready
// once its socket accepts a connection; iisnode's maxNamedPipeConnectionRetry ×
// namedPipeConnectionRetryDelay is the time it has to get there (500.1001 after that, 500.1002 when it
// exits first).
// node:child_process (with dgram, which it loads) is loaded when the first process is spawned: a worker
// without an iisnode application never needs it (≈0.5 ms of each worker's start; docs/performance.md,
// "Demand start without a spare").
import type { ChildProcess } from 'node:child_process';
import { Agent } from 'node:http';
import { connect } from 'node:net';
import { rmSync } from 'node:fs';
import type { LogDirectory } from './log-directory.js';

export interface NodeProcessSpec {
  executable: string;
  executableArguments: string[];
  interceptor: string;
  entryScript: string;
  folder: string;
  socketPath: string;
  environment: NodeJS.ProcessEnv;
  /** Total time to wait for the socket (ms) and the pause between probes. */
  readyWithinMs: number;
  logs: LogDirectory | null;
}

/** Why a process cannot take requests: iisnode's 500 substatus and what the process left on stderr. */
export class NodeProcessFailure extends Error {
  constructor(readonly subStatus: number, message: string, readonly stderr: string) {
    super(message);
  }
}

/** iisnode's dev error page shows the last 64 KB of stderr. */
const STDERR_TAIL_BYTES = 64 * 1024;
const PROBE_INTERVAL_MS = 20;

export class NodeProcess {
  readonly child: ChildProcess;
  readonly agent = new Agent({ keepAlive: true, maxSockets: Infinity });
  readonly ready: Promise<void>;
  activeRequests = 0;
  exited = false;
  /** The exit code or signal, once exited. */
  exitStatus = '';
  private stderrTail: Buffer[] = [];
  private stderrBytes = 0;
  private readonly exitListeners: Array<() => void> = [];
  private drained: (() => void) | null = null;

  constructor(readonly spec: NodeProcessSpec) {
    rmSync(spec.socketPath, { force: true });
    const capture = spec.logs !== null;
    this.child = process.getBuiltinModule('node:child_process').spawn(spec.executable, [...spec.executableArguments, spec.interceptor, spec.entryScript], {
      cwd: spec.folder,
      env: { ...spec.environment, PORT: spec.socketPath },
      stdio: ['ignore', capture ? 'pipe' : 'ignore', capture ? 'pipe' : 'ignore', 'ipc'],
      serialization: 'advanced',
    });
    this.child.on('error', (error) => this.onExit(`spawn error: ${error.message}`));
    // 'close': the process is gone and its stdout/stderr are read to the end (the dev error page needs them).
    this.child.on('close', (code, signal) => this.onExit(signal ?? `exit code ${code}`));
    if (capture && this.child.pid !== undefined) {
      const stdout = spec.logs!.writer(this.child.pid, 'stdout');
      const stderr = spec.logs!.writer(this.child.pid, 'stderr');
      this.child.stdout!.on('data', (chunk: Buffer) => stdout.write(chunk));
      this.child.stderr!.on('data', (chunk: Buffer) => {
        stderr.write(chunk);
        this.keepStderr(chunk);
      });
    }
    this.ready = this.probe();
    this.ready.catch(() => undefined);
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  stderr(): string {
    return Buffer.concat(this.stderrTail).toString('utf8');
  }

  onceExited(listener: () => void): void {
    if (this.exited) listener();
    else this.exitListeners.push(listener);
  }

  requestStarted(): void {
    this.activeRequests++;
  }

  requestEnded(): void {
    this.activeRequests--;
    if (this.activeRequests === 0) this.drained?.();
  }

  /** Lets requests in flight finish (up to `gracefulMs`), then ends the process. */
  async stop(gracefulMs: number): Promise<void> {
    if (!this.exited && this.activeRequests > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, gracefulMs);
        timer.unref();
        this.drained = () => {
          clearTimeout(timer);
          resolve();
        };
        this.onceExited(this.drained);
      });
    }
    this.kill();
  }

  kill(): void {
    this.agent.destroy();
    if (!this.exited) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 2_000);
      timer.unref();
    }
  }

  private keepStderr(chunk: Buffer): void {
    this.stderrTail.push(chunk);
    this.stderrBytes += chunk.length;
    while (this.stderrBytes - this.stderrTail[0]!.length >= STDERR_TAIL_BYTES) this.stderrBytes -= this.stderrTail.shift()!.length;
  }

  private onExit(status: string): void {
    if (this.exited) return;
    this.exited = true;
    this.exitStatus = status;
    this.agent.destroy();
    rmSync(this.spec.socketPath, { force: true });
    for (const listener of this.exitListeners.splice(0)) listener();
  }

  private probe(): Promise<void> {
    const deadline = Date.now() + this.spec.readyWithinMs;
    return new Promise<void>((resolve, reject) => {
      const attempt = (): void => {
        if (this.exited) {
          reject(new NodeProcessFailure(1002, `the node process ${this.pid} ended (${this.exitStatus}) before it listened on process.env.PORT`, this.stderr()));
          return;
        }
        const socket = connect(this.spec.socketPath);
        socket.once('connect', () => {
          socket.destroy();
          resolve();
        });
        socket.once('error', () => {
          socket.destroy();
          if (Date.now() >= deadline) {
            reject(new NodeProcessFailure(1001, `the node process ${this.pid} did not listen on process.env.PORT within ${this.spec.readyWithinMs} ms`, this.stderr()));
          } else setTimeout(attempt, PROBE_INTERVAL_MS);
        });
      };
      attempt();
    });
  }
}
