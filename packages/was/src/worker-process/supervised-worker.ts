// A running w3wp as was holds it: its exit, its output forwarded to was's log, and its control channel.
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import type { Logger } from '@poolhost/common';
import { ControlChannel, createSocketTransport, type HandlerTable } from '@poolhost/protocol';
import { forwardWorkerOutput, type WorkerOutputContext } from './worker-output.js';
import type { SpawnedWorker, WorkerExit } from './worker-spawner.js';

/** What `supervise` needs of the w3wp child process. */
export interface W3wpSubprocess {
  on(event: 'exit', listener: (exitCode: number | null, signal: NodeJS.Signals | null) => void): unknown;
  kill(signal: NodeJS.Signals): unknown;
  stdout: Readable | null;
  stderr: Readable | null;
}

export function workerLogger(logger: Logger, applicationPool: string, workerId: string, pid: number): Logger {
  return logger.child({ pool: applicationPool, workerId, workerPid: pid });
}

/** Exit listeners, output forwarding and the control channel (over was's end of `controlSocket`) of a running w3wp. */
export function supervise(subprocess: W3wpSubprocess, pid: number, controlSocket: Socket, output: WorkerOutputContext, handlers: HandlerTable): { worker: SpawnedWorker; control: ControlChannel } {
  const exitListeners: Array<(exit: WorkerExit) => void> = [];
  let exited: WorkerExit | null = null;
  subprocess.on('exit', (exitCode, signal) => {
    exited = { exitCode, signal };
    for (const listener of exitListeners) listener(exited);
  });
  forwardWorkerOutput(subprocess.stdout, 'stdout', output);
  forwardWorkerOutput(subprocess.stderr, 'stderr', output);
  const control = new ControlChannel(createSocketTransport(controlSocket), {
    peer: `w3wp ${pid}`,
    handlers,
    onProtocolError: (error) => output.logger.warn({ err: error }, `control message from worker ${pid} rejected: ${error.message}`),
  });
  const worker: SpawnedWorker = {
    pid,
    control,
    onExit(listener) {
      if (exited) listener(exited);
      else exitListeners.push(listener);
    },
    kill(signal) {
      if (exited) return;
      try {
        subprocess.kill(signal);
      } catch (error) {
        output.logger.warn({ err: error }, `could not send ${signal} to worker ${pid}`);
      }
    },
  };
  return { worker, control };
}
