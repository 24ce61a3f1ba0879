// Keeps one service process running, as the Service Control Manager does: restarts it with backoff
// when it dies, stops it with SIGTERM and a deadline (then SIGKILL) when poolhost stops.
import type { Logger } from '@poolhost/common';
import type { ServiceStatus } from '@poolhost/protocol';
import type { Clock, TimerHandle } from '@poolhost/common';
import type { LaunchedService, ServiceExit, ServiceLauncher, ServiceName } from './service-launcher.js';

export interface RestartPolicy {
  /** First restart delay; doubles on every consecutive failure. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** A service that ran this long is considered healthy again: the backoff starts over. */
  healthyAfterMs: number;
}

export const defaultRestartPolicy: RestartPolicy = { initialDelayMs: 250, maxDelayMs: 10_000, healthyAfterMs: 10_000 };

export interface ServiceSupervisorOptions {
  name: ServiceName;
  launcher: ServiceLauncher;
  clock: Clock;
  logger: Logger;
  policy?: RestartPolicy;
  /** Each launched process, so its output can be forwarded. */
  onLaunched?(service: LaunchedService): void;
}

export function describeExit(exit: ServiceExit): string {
  return exit.signal ? `signal ${exit.signal}` : `exit code ${exit.exitCode ?? 'unknown'}`;
}

export class ServiceSupervisor {
  readonly name: ServiceName;
  private state: ServiceStatus['state'] = 'Stopped';
  private process: LaunchedService | null = null;
  private restarts = 0;
  private consecutiveFailures = 0;
  private startedAt = 0;
  private restartTimer: TimerHandle | null = null;
  private readonly exitWaiters: Array<() => void> = [];
  private readonly policy: RestartPolicy;

  constructor(private readonly options: ServiceSupervisorOptions) {
    this.name = options.name;
    this.policy = options.policy ?? defaultRestartPolicy;
  }

  status(): ServiceStatus {
    return { name: this.name, pid: this.process?.pid || null, state: this.state, restarts: this.restarts };
  }

  start(): void {
    if (this.state !== 'Stopped') return;
    this.launch();
  }

  /** SIGTERM, then SIGKILL if the service has not exited after `timeoutMs`. */
  async stop(timeoutMs: number): Promise<void> {
    this.restartTimer?.cancel();
    this.restartTimer = null;
    const running = this.process;
    if (!running) {
      this.state = 'Stopped';
      return;
    }
    this.state = 'Stopping';
    const exited = new Promise<void>((resolve) => this.exitWaiters.push(resolve));
    running.kill('SIGTERM');
    const killTimer = this.options.clock.setTimeout(() => {
      this.options.logger.warn({ child: this.name }, `${this.name} did not stop within ${timeoutMs} ms; killing it`);
      running.kill('SIGKILL');
    }, timeoutMs);
    await exited;
    killTimer.cancel();
  }

  private launch(): void {
    this.state = 'Starting';
    const launched = this.options.launcher.launch(this.name);
    this.process = launched;
    this.startedAt = this.options.clock.now();
    this.options.onLaunched?.(launched);
    this.state = 'Running';
    this.options.logger.info({ child: this.name, childPid: launched.pid }, `started ${this.name} (pid ${launched.pid})`);
    launched.onExit((exit) => this.onExit(launched, exit));
  }

  private onExit(launched: LaunchedService, exit: ServiceExit): void {
    if (this.process !== launched) return;
    this.process = null;
    if (this.state === 'Stopping') {
      this.state = 'Stopped';
      this.options.logger.info({ child: this.name }, `${this.name} stopped (${describeExit(exit)})`);
      for (const waiter of this.exitWaiters.splice(0)) waiter();
      return;
    }
    const ranFor = this.options.clock.now() - this.startedAt;
    this.consecutiveFailures = ranFor >= this.policy.healthyAfterMs ? 1 : this.consecutiveFailures + 1;
    const delay = Math.min(this.policy.maxDelayMs, this.policy.initialDelayMs * 2 ** (this.consecutiveFailures - 1));
    this.restarts += 1;
    this.state = 'Starting';
    this.options.logger.error(
      { child: this.name, childPid: launched.pid, exitCode: exit.exitCode, signal: exit.signal, restarts: this.restarts },
      `${this.name} (pid ${launched.pid}) exited unexpectedly (${describeExit(exit)}); restarting it in ${delay} ms`,
    );
    this.restartTimer = this.options.clock.setTimeout(() => {
      this.restartTimer = null;
      if (this.state === 'Starting') this.launch();
    }, delay);
  }
}
