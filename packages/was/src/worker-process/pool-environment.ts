// The environment a worker of a pool runs with, on top of was's (docs/process-model.md, the spawn
// contract): given to a cold start's exec, or set by a spare on assignment.
import { dirname } from 'node:path';
import type { ApplicationPool } from '@poolhost/config';
import type { WorkerIdentity } from './worker-identity.js';
import type { WorkerSpawnRequest } from './worker-spawner.js';

/** The worker finds its data-plane connection to httpsys on this inherited file descriptor. */
export const workerDataFd = 3;
/** … and its connection to the net.tcp activator on this one. */
export const workerNetTcpFd = 4;

export interface PoolEnvironmentContext {
  configFile: string;
  runDirectory: string;
}

/** The variables a worker of `pool` gets on top of was's environment (docs/process-model.md, the spawn contract). */
export function poolEnvironment(
  pool: ApplicationPool,
  identity: WorkerIdentity | undefined,
  tempDirectory: string,
  poolConfigFile: string | null,
  request: WorkerSpawnRequest,
  options: PoolEnvironmentContext,
): Record<string, string> {
  return {
    // The pool's private temp folder, unless its own environmentVariables say otherwise.
    TMPDIR: tempDirectory,
    TEMP: tempDirectory,
    TMP: tempDirectory,
    ...Object.fromEntries(pool.environmentVariables.map((variable) => [variable.name, variable.value])),
    ...(identity && pool.processModel.setProfileEnvironment ? { HOME: identity.home, USER: identity.userName, LOGNAME: identity.userName } : {}),
    APP_POOL_ID: pool.name,
    ...(poolConfigFile ? { APP_POOL_CONFIG: poolConfigFile, POOLHOST_CONFIG_DIRECTORY: dirname(options.configFile) } : { POOLHOST_CONFIG: options.configFile }),
    POOLHOST_RUN_DIR: options.runDirectory,
    POOLHOST_WORKER_ID: request.workerId,
    ...(request.listenerProtocols && !request.listenerProtocols.includes('http') ? {} : { POOLHOST_DATA_FD: String(workerDataFd) }),
    ...(request.listenerProtocols?.includes('net.tcp') ? { POOLHOST_NET_TCP_FD: String(workerNetTcpFd) } : {}),
    ...(request.standby ? { POOLHOST_STANDBY: '1' } : {}),
  };
}
