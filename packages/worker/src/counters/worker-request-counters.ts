// W3SVC_W3WP's request counters, kept by the worker itself: plain integers, one increment per
// response at most (a status over 400 is the only branch), read by was with each PingWorker.
import type { IntervalHistogram } from 'node:perf_hooks';
import type { WorkerRequestCounters } from '@poolhost/protocol';

// Sampled by libuv every 20 ms (an unref'd timer); read and reset with each WorkerHealth. Started a moment
// after the worker is ready, not at its start: node:perf_hooks is loaded then (≈0.6 ms of a demand start
// before ATTACH otherwise; docs/performance.md, "Demand start without a spare: the wall-clock path"), and
// the start's own synchronous work is not a delay of the requests the counter is about.
let eventLoopDelay: IntervalHistogram | null = null;

/** How long after the worker is ready the event-loop delay is first sampled. */
export const EVENT_LOOP_DELAY_START_MS = 1_000;

/** Starts sampling the event-loop delay once EVENT_LOOP_DELAY_START_MS have passed (a timer that never holds the process). */
export function monitorEventLoopDelaySoon(): void {
  setTimeout(startEventLoopDelayMonitor, EVENT_LOOP_DELAY_START_MS).unref();
}

/** Starts sampling the event-loop delay now (once). */
export function startEventLoopDelayMonitor(): void {
  if (eventLoopDelay) return;
  eventLoopDelay = process.getBuiltinModule('node:perf_hooks').monitorEventLoopDelay({ resolution: 20 });
  eventLoopDelay.enable();
}

/** Event-loop delay since the previous reading and the V8 heap, for the counters of a WorkerHealth. */
export function readRuntimeCounters(): Pick<WorkerRequestCounters, 'eventLoopDelayP99Ms' | 'eventLoopDelayMaxMs' | 'heapUsedBytes'> {
  const delay = eventLoopDelay;
  const reading = {
    // Not sampled yet (the worker's first second) or no sample since the last reading: unknown, not 0.
    eventLoopDelayP99Ms: delay && delay.count > 0 ? delay.percentile(99) / 1e6 : null,
    eventLoopDelayMaxMs: delay && delay.count > 0 ? delay.max / 1e6 : null,
    // process.memoryUsage() would also read /proc/self/stat for the RSS nobody asked for; heapUsed is this.
    // node:v8 is loaded on the first reading (a ping), not by the worker's start (≈0.4 ms; docs/performance.md,
    // "Demand start without a spare: the wall-clock path").
    heapUsedBytes: process.getBuiltinModule('node:v8').getHeapStatistics().used_heap_size,
  };
  delay?.reset();
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
