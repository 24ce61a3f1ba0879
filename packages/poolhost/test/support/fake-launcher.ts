// A launcher that starts no processes: each launched service exits when the test (or a signal) says so.
import { EventEmitter } from 'node:events';
import type { ControlMessage } from '@poolhost/protocol';
import type { LaunchedService, ServiceExit, ServiceLauncher, ServiceName } from '../../src/services/service-launcher.js';

/** The parent's end of a service's Node IPC channel: the test sends as the service would. */
export class FakeIpc extends EventEmitter {
  connected = true;
  send(): boolean {
    return true;
  }
  disconnect(): void {
    this.connected = false;
    this.emit('disconnect');
  }
  /** A message from the service (an event: no sequence number). */
  receive(message: ControlMessage): void {
    this.emit('message', { message });
  }
}

export class FakeService implements LaunchedService {
  readonly stdout = null;
  readonly stderr = null;
  readonly signals: NodeJS.Signals[] = [];
  /** false: ignores SIGTERM (a hung service). */
  exitsOnTerm = true;
  private listeners: Array<(exit: ServiceExit) => void> = [];
  private exited: ServiceExit | null = null;
  readonly ipc = new FakeIpc();

  constructor(readonly name: ServiceName, readonly pid: number, private readonly log: string[]) {}

  onExit(listener: (exit: ServiceExit) => void): void {
    if (this.exited) listener(this.exited);
    else this.listeners.push(listener);
  }

  kill(signal: NodeJS.Signals): void {
    this.signals.push(signal);
    this.log.push(`${signal} ${this.name}`);
    if (signal === 'SIGKILL' || this.exitsOnTerm) setImmediate(() => this.exit(null, signal));
  }

  exit(exitCode: number | null, signal: string | null): void {
    if (this.exited) return;
    this.exited = { exitCode, signal };
    this.log.push(`exited ${this.name}`);
    for (const listener of this.listeners.splice(0)) listener(this.exited);
  }
}

export class FakeLauncher implements ServiceLauncher {
  readonly launched: FakeService[] = [];
  readonly log: string[] = [];
  private nextPid = 500;

  launch(name: ServiceName): FakeService {
    const service = new FakeService(name, this.nextPid++, this.log);
    this.launched.push(service);
    this.log.push(`launch ${name}`);
    return service;
  }

  current(name: ServiceName): FakeService {
    const service = this.launched.filter((candidate) => candidate.name === name).at(-1);
    if (!service) throw new Error(`${name} was never launched`);
    return service;
  }
}
