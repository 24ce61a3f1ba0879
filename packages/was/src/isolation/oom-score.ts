// The kernel's OOM killer picks the process with the highest oom_score_adj first: workers get a high
// one, the services (poolhost, httpsys, w3svc, was) a low one, so memory pressure outside any pool's
// own limit ends a worker before it ends a service.
import { writeFileSync } from 'node:fs';
import type { Logger } from '@poolhost/common';

/** A worker (and every process its applications start, which inherit it). */
export const workerOomScoreAdj = 500;

export function setWorkerOomScore(pid: number, logger: Logger): void {
  try {
    writeFileSync(`/proc/${pid}/oom_score_adj`, String(workerOomScoreAdj));
  } catch (error) {
    logger.debug({ err: error, workerPid: pid }, `could not set the OOM score of worker process ${pid}`);
  }
}
