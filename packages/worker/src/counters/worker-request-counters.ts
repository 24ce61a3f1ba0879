// W3SVC_W3WP's request counters, kept by the worker itself: plain integers, one increment per
// response at most (a status over 400 is the only branch), read by was with each PingWorker.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { WorkerRequestCounters } from '@poolhost/protocol';

// Sampled by libuv every 20 ms (an unref'd timer); read and reset with each WorkerHealth.
const eventLoopDelay = monitorEventLoopDelay({ resolution: 20 });
eventLoopDelay.enable();

/** Event-loop delay since the previous reading and the V8 heap, for the counters of a WorkerHealth. */
export function readRuntimeCounters(): Pick<WorkerRequestCounters, 'eventLoopDelayP99Ms' | 'eventLoopDelayMaxMs' | 'heapUsedBytes'> {
  const reading = {
    eventLoopDelayP99Ms: eventLoopDelay.count > 0 ? eventLoopDelay.percentile(99) / 1e6 : 0,
    eventLoopDelayMaxMs: eventLoopDelay.count > 0 ? eventLoopDelay.max / 1e6 : 0,
    // process.memoryUsage() would also read /proc/self/stat for the RSS nobody asked for; heapUsed is this.
    // node:v8 is loaded on the first reading (a ping), not by the worker's start (≈0.4 ms; docs/performance.md,
    // "Demand start without a spare: the wall-clock path").
    heapUsedBytes: process.getBuiltinModule('node:v8').getHeapStatistics().used_heap_size,
  };
  eventLoopDelay.reset();
  return reading;
}

/** `% 401/403/404/500 HTTP Response Sent` (IIS 8+) count exactly those four statuses. */
export function countResponseStatus(counters: WorkerRequestCounters, statusCode: number): void {
  switch (statusCode) {
    case 401:
      counters.errors401++;
      break;
    case 403:
      counters.errors403++;
      break;
    case 404:
      counters.errors404++;
      break;
    case 500:
      counters.errors500++;
      break;
  }
}
