export { createWas, type Was, type WasOptions } from './was.js';
export { ApplicationPool } from './application-pool/application-pool.js';
export { WorkerProcess } from './worker-process/worker-process.js';
export { createChildProcessWorkerSpawner } from './worker-process/child-process-worker-spawner.js';
export type { WorkerSpawner, SpawnedWorker, WorkerControl, WorkerExit, WorkerSpawnRequest } from './worker-process/worker-spawner.js';
export { systemClock, type Clock, type TimerHandle } from '@poolhost/common';
