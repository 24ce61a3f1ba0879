// The services (poolhost, httpsys, w3svc, was) ask the kernel's OOM killer to spare them before any
// worker: a negative oom_score_adj (needs CAP_SYS_RESOURCE; without it the kernel refuses, the
// services keep 0, and the workers' 500 still makes them the first choice).
// Workers get a positive one from was at spawn (packages/was/src/isolation/oom-score.ts).
import { writeFileSync } from 'node:fs';

export const serviceOomScoreAdj = -500;

/** True when the score was set. */
export function protectFromOomKiller(): boolean {
  try {
    writeFileSync('/proc/self/oom_score_adj', String(serviceOomScoreAdj));
    return true;
  } catch {
    return false;
  }
}
