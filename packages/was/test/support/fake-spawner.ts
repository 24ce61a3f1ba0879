// A spawner that creates no processes: each "worker" answers pings and StopWorker as the test
// says, exits when told to, and lets the test send WorkerReady and friends.
import { ChannelClosedError, createWorkerRequestCounters, ChannelTimeoutError, type ControlMessage, type HandlerTable, type WorkerReady, type WorkerRecycleRequested, type WorkerStartupFailed } from '@poolhost/protocol';
import type { SpawnedWorker, WorkerExit, WorkerSpawnRequest, WorkerSpawner } from '../../src/worker-process/worker-spawner.js';
import type { FakeClock } from '@poolhost/common/testing';

export class FakeWorker implements SpawnedWorker {
  /** Answers pings; false simulates a hung (SIGSTOPped) worker. */
  answersPings = true;
  /** Exits with code 0 after StopWorker; false simulates a worker that never finishes draining. */
  exitsOnStop = true;
  /** Acknowledges StopWorker; false simulates a worker whose JavaScript is blocked (it never reads it). */
  answersStop = true;
  requestsServed = 0;
  requestsInFlight = 0;
  errors404 = 0;
  readonly received: ControlMessage[] = [];
  readonly signals: NodeJS.Signals[] = [];
  private exitListeners: Array<(exit: WorkerExit) => void> = [];
  private closeListeners: Array<() => void> = [];
  private exited: WorkerExit | null = null;

  constructor(readonly pid: number, readonly request: WorkerSpawnRequest, private readonly clock: FakeClock) {}

  get poolName(): string {
    return this.request.applicationPool.name;
  }

  get handlers(): HandlerTable {
    return this.request.handlers;
  }

  get hasExited(): boolean {
    return this.exited !== null;
  }

  readonly control = {
    request: <R extends ControlMessage = ControlMessage>(message: ControlMessage, timeoutMs = 10_000): Promise<R> => {
      this.received.push(message);
      if (this.exited) return Promise.reject(new ChannelClosedError(`w3wp ${this.pid}`));
      if (message.type === 'PingWorker') {
        if (!this.answersPings) {
          return new Promise<R>((_, reject) => {
            this.clock.setTimeout(() => reject(new ChannelTimeoutError(`w3wp ${this.pid}`, message.type, timeoutMs)), timeoutMs);
          });
        }
        return Promise.resolve({
          type: 'WorkerHealth',
          requestsServed: this.requestsServed,
          requestsInFlight: this.requestsInFlight,
          counters: { ...createWorkerRequestCounters(), errors404: this.errors404 },
        } as R);
      }
      if (message.type === 'StopWorker') {
        if (!this.answersStop) {
          return new Promise<R>((_, reject) => {
            this.clock.setTimeout(() => reject(new ChannelTimeoutError(`w3wp ${this.pid}`, message.type, timeoutMs)), timeoutMs);
          });
        }
        if (this.exitsOnStop) setImmediate(() => this.exit(0, null));
        return Promise.resolve({ type: 'Acknowledged' } as R);
      }
      if (message.type === 'ListWorkerRequests') return Promise.resolve({ type: 'WorkerRequestList', requests: [] } as unknown as R);
      return Promise.resolve({ type: 'Acknowledged' } as R);
    },
    onClose: (listener: () => void) => {
      this.closeListeners.push(listener);
    },
    close: () => undefined,
  };

  onExit(listener: (exit: WorkerExit) => void): void {
    if (this.exited) listener(this.exited);
    else this.exitListeners.push(listener);
  }

  kill(signal: NodeJS.Signals): void {
    this.signals.push(signal);
    if (signal === 'SIGKILL' || signal === 'SIGTERM') setImmediate(() => this.exit(null, signal));
  }

  /** The worker tells was something (WorkerReady, WorkerStartupFailed, WorkerRecycleRequested). */
  send(message: WorkerReady | WorkerStartupFailed | WorkerRecycleRequested): void {
    const handler = this.handlers[message.type] as ((message: ControlMessage, channel: never) => unknown) | undefined;
    if (!handler) throw new Error(`was has no handler for ${message.type}`);
    handler(message, undefined as never);
  }

  /** WorkerReady was sent. */
  hasSentReady = false;

  ready(capacity = 8): void {
    this.hasSentReady = true;
    this.send({ type: 'WorkerReady', pid: this.pid, capacity });
  }

  /** The process ends (IPC closes first, as with a real child). */
  exit(exitCode: number | null, signal: NodeJS.Signals | null): void {
    if (this.exited) return;
    this.exited = { exitCode, signal };
    for (const listener of this.closeListeners.splice(0)) listener();
    for (const listener of this.exitListeners.splice(0)) listener(this.exited);
  }

  /** Only the IPC channel breaks; the process stays. */
  breakChannel(): void {
    for (const listener of this.closeListeners.splice(0)) listener();
  }
}

export class FakeSpawner implements WorkerSpawner {
  readonly workers: FakeWorker[] = [];
  private nextPid = 1000;
  failWith: Error | null = null;

  constructor(private readonly clock: FakeClock) {}

  async spawn(request: WorkerSpawnRequest): Promise<FakeWorker> {
    if (this.failWith) throw this.failWith;
    const worker = new FakeWorker(this.nextPid++, request, this.clock);
    request.placeProcess?.(worker.pid);
    this.workers.push(worker);
    return worker;
  }

  of(pool: string): FakeWorker[] {
    return this.workers.filter((worker) => worker.poolName === pool);
  }

  alive(pool?: string): FakeWorker[] {
    return this.workers.filter((worker) => !worker.hasExited && (pool === undefined || worker.poolName === pool));
  }

  get last(): FakeWorker {
    const worker = this.workers.at(-1);
    if (!worker) throw new Error('no worker was spawned');
    return worker;
  }
}
