// A request queue's counters as httpsys reports them, for the farm-health tests.
import type { RequestQueueCounterSet } from '@poolhost/protocol';

/** Pool Shop's queue: one attached worker taking 100 at once, nothing in flight or waiting. */
export function requestQueueCounters(overrides: Partial<RequestQueueCounterSet> = {}): RequestQueueCounterSet {
  return {
    applicationPool: 'Shop',
    enabled: true,
    currentQueueSize: 0,
    maxQueueItemAgeMs: 0,
    arrivals: 0,
    rejectedRequests: 0,
    rejectedByReason: {},
    retried: 0,
    expired: 0,
    attachedWorkers: 1,
    requestsInFlight: 0,
    workerCapacity: 100,
    queueLength: 1000,
    maxProcesses: 1,
    queueWaitBuckets: [],
    queueWaitSumMs: 0,
    ...overrides,
  };
}
