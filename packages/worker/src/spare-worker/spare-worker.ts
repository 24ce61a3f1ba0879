// A spare w3wp (POOLHOST_SPARE=1, `<applicationPools spareWorkers>`): Node and the w3wp bundle are
// loaded, the data connection to httpsys is open, and no pool is bound yet. It says SpareWorkerReady and
// waits. AssignSpareWorker makes it one pool's worker, once: it takes the pool's identity (checked), its
// environment and arguments, and only then does w3wp read the pool's configuration and load applications
// (main.ts goes on exactly as a cold start). A spare that loses was or httpsys before that just ends.
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { ControlChannel, type AssignSpareWorker, type SpareWorkerAssigned, type Transport } from '@poolhost/protocol';
import { WorkerExitCode } from '../exit-codes.js';
import { takeIdentity, type ProcessCredentials } from './take-identity.js';

export interface SpareWorkerOptions {
  /** The control connection to was (the socket on POOLHOST_CONTROL_FD). */
  control: Transport;
  /** The connected socket to httpsys-data (from the inherited POOLHOST_DATA_FD). */
  dataSocket: Socket;
  logger: Logger;
  exit(code: number): void;
  /** Tests: the process's credential calls. */
  credentials?: ProcessCredentials;
}

/** What the assigned worker goes on with: the channel to was (handlers replaced by the worker's) and the data socket. */
export interface SpareAssignment {
  applicationPool: string;
  channel: ControlChannel;
  dataSocket: Socket;
}

export function waitForAssignment(options: SpareWorkerOptions): Promise<SpareAssignment> {
  const { logger } = options;
  let assigned = false;
  const { dataSocket } = options;
  // httpsys restarted (or refused the connection) while this spare waited: a worker assigned now could not
  // attach, and its start would count as a failure of the pool that took it. The spare ends instead.
  const dataConnectionLost = (): void => {
    if (assigned) return;
    logger.warn(`spare worker lost its data connection to httpsys; exiting with ${WorkerExitCode.DataConnectionLost}`);
    options.exit(WorkerExitCode.DataConnectionLost);
  };
  const ignoreError = (error: Error): void => logger.debug({ err: error }, 'spare data connection error');
  dataSocket.on('end', dataConnectionLost);
  dataSocket.on('close', dataConnectionLost);
  dataSocket.on('error', ignoreError);

  return new Promise((resolve) => {
    const assign = (message: AssignSpareWorker, channel: ControlChannel): SpareWorkerAssigned => {
      if (assigned) throw new Error(`this worker is already assigned to an application pool; it never serves another (asked for '${message.applicationPool}')`);
      assigned = true;
      dataSocket.off('end', dataConnectionLost);
      dataSocket.off('close', dataConnectionLost);
      dataSocket.off('error', ignoreError);
      let taken;
      try {
        taken = message.identity
          ? takeIdentity(message.identity, options.credentials)
          : { uid: process.getuid?.() ?? -1, gid: process.getgid?.() ?? -1, groups: process.getgroups?.() ?? [] };
      } catch (error) {
        logger.error({ err: error, pool: message.applicationPool }, `spare worker could not take the identity of application pool '${message.applicationPool}'; it ends without loading anything`);
        setImmediate(() => options.exit(WorkerExitCode.Failed));
        throw error;
      }
      delete process.env.POOLHOST_SPARE;
      Object.assign(process.env, message.environment);
      process.argv.push(...message.arguments);
      process.title = `poolhost: w3wp ${message.applicationPool}`;
      logger.setBindings({ pool: message.applicationPool, workerId: message.workerId });
      logger.info({ uid: taken.uid, gid: taken.gid }, `spare worker assigned to application pool '${message.applicationPool}'`);
      resolve({ applicationPool: message.applicationPool, channel, dataSocket });
      return { type: 'SpareWorkerAssigned', ...taken };
    };
    const channel: ControlChannel = new ControlChannel(options.control, {
      peer: 'was',
      handlers: { AssignSpareWorker: (message) => assign(message, channel) },
      onProtocolError: (error) => logger.warn({ err: error }, 'control protocol error'),
    });
    // A spare never outlives its was (the assigned worker's own stop takes over from here).
    channel.onClose(() => {
      if (!assigned) options.exit(WorkerExitCode.Stopped);
    });
    channel.notify({ type: 'SpareWorkerReady', pid: process.pid });
    logger.info('spare worker booted; waiting for an application pool');
  });
}
