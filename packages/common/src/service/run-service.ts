// How every poolhost executable runs: signals from its first moment, a graceful stop, its output
// flushed, an exit code. Its main.ts parses argv and hands the service to runService().
import type { Logger } from 'pino';
import { flushOutput } from './flush-output.js';

export const ServiceExitCode = {
  /** Stopped on request (a signal, poolhost gone, StopServer). */
  Stopped: 0,
  /** Could not start, or the stop failed. */
  Failed: 1,
} as const;

export interface ServiceLifecycle {
  /** The service ends itself (it was told to stop, lost what it serves, crashed): flush, then exit with `code`. */
  exit(code: number): void;
}

export interface ServiceDefinition<S> {
  /** Names the service in its start-failure line: `was could not start: …`. */
  name: string;
  logger: Logger;
  /**
   * Builds the service (and, for most, starts it). A signal that arrives meanwhile ends the process
   * at once with exit code 0: nothing has been taken on yet. A throw is a start failure: exit code 1.
   */
  create(lifecycle: ServiceLifecycle): S | Promise<S>;
  /** Starts a built service; a signal that arrives meanwhile stops it (poolhost stops its children). */
  start?(service: S): Promise<void>;
  /** The graceful stop. When it resolves the process exits 0 (unless the service chose a code), when it throws, 1. */
  stop(service: S, reason: string): Promise<void>;
  /** Default SIGINT and SIGTERM. */
  signals?: readonly NodeJS.Signals[];
  /** Stop when the IPC channel to the parent closes: poolhost holds one to each service. Default: when there is one. */
  stopWhenParentGone?: boolean;
  /** The service logs and reports its own start failure (w3wp tells was); runService adds no line. */
  reportsOwnStartFailure?: boolean;
  /** ms the final flush of stdout and stderr may take. Default 5 s. */
  flushTimeoutMs?: number;
}

/**
 * Runs a service until it has stopped, and resolves with the exit code once everything it logged
 * has been written: `runService({...}).then((code) => process.exit(code))`.
 */
export function runService<S>(definition: ServiceDefinition<S>): Promise<number> {
  const { logger } = definition;
  let service: S | undefined;
  let stopping = false;
  let exitCode: number | undefined;
  let resolveExit!: (code: number) => void;
  const exited = new Promise<number>((resolve) => (resolveExit = resolve));

  const exit = (code: number): void => {
    if (exitCode !== undefined) return;
    exitCode = code;
    void flushOutput(logger, definition.flushTimeoutMs ?? 5_000).then(() => resolveExit(code));
  };
  const stop = (reason: string): void => {
    if (stopping || exitCode !== undefined) return;
    stopping = true;
    logger.info({ reason }, `${reason}: shutting down`);
    if (service === undefined) return exit(ServiceExitCode.Stopped);
    definition.stop(service, reason).then(
      () => exit(ServiceExitCode.Stopped),
      (error: unknown) => {
        logger.error({ err: error }, `${definition.name} failed to stop: ${messageOf(error)}`);
        exit(ServiceExitCode.Failed);
      },
    );
  };

  for (const signal of definition.signals ?? ['SIGINT', 'SIGTERM']) process.on(signal, () => stop(signal));
  if (definition.stopWhenParentGone ?? Boolean(process.send)) {
    process.on('disconnect', () => stop('poolhost went away'));
    // A service bundled as ES modules loads them asynchronously: a parent that died meanwhile closed the
    // channel before this listener existed, and its 'disconnect' is gone. Without this the service
    // would start and outlive poolhost (found: a was orphaned by a poolhost killed while starting).
    if (process.connected === false) stop('poolhost went away');
  }

  void (async () => {
    if (exitCode !== undefined) return; // stopped before it was built
    const built = await definition.create({ exit });
    if (exitCode !== undefined) return; // a signal ended the process while it was being built
    service = built;
    await definition.start?.(built);
  })().catch((error: unknown) => {
    if (stopping || exitCode !== undefined) return; // the stop decides the exit code
    if (!definition.reportsOwnStartFailure) logger.fatal({ err: error }, `${definition.name} could not start: ${messageOf(error)}`);
    exit(ServiceExitCode.Failed);
  });
  return exited;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
