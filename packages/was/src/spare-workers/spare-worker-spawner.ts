// The spawner was's pools use when spares are configured: a worker start takes a booted spare and
// assigns it to the pool; without one waiting (or for a pool a spare does not fit), the worker starts
// cold. A spare that cannot be assigned is killed and the worker starts cold too, so a spare can make a
// start faster and never make it fail.
import type { Logger } from '@poolhost/common';
import type { SpawnedWorker, WorkerSpawnRequest, WorkerSpawner } from '../worker-process/worker-spawner.js';
import { spareMisfit } from './spare-fit.js';
import type { SpareWorkers } from './spare-workers.js';

export function spareWorkerSpawner(cold: WorkerSpawner, spares: SpareWorkers, logger: Logger): WorkerSpawner {
  const misfitsReported = new Set<string>();
  return {
    async spawn(request: WorkerSpawnRequest): Promise<SpawnedWorker> {
      const pool = request.applicationPool;
      if (spares.configured === 0) return cold.spawn(request);
      const misfit = spareMisfit(pool);
      if (misfit !== null) {
        if (!misfitsReported.has(pool.name)) logger.info({ pool: pool.name }, `application pool '${pool.name}' takes no spare worker: ${misfit}; its workers start cold`);
        misfitsReported.add(pool.name);
        return cold.spawn(request);
      }
      const spare = spares.take();
      if (!spare) return cold.spawn(request);
      try {
        const worker = await spare.assign(request);
        logger.info({ pool: pool.name, workerPid: spare.pid, workerId: request.workerId }, `spare worker process ${spare.pid} assigned to application pool '${pool.name}'`);
        return worker;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        logger.warn({ err: error, pool: pool.name, workerPid: spare.pid }, `spare worker process ${spare.pid} could not be assigned to application pool '${pool.name}' (${message}); it is killed and a worker process starts cold`);
        spare.kill('SIGKILL');
        return cold.spawn(request);
      }
    },
  };
}
