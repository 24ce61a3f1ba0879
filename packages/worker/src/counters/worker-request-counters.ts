// W3SVC_W3WP's request counters, kept by the worker itself: plain integers, one increment per
// response at most (a status over 400 is the only branch), read by was with each PingWorker.
import type { WorkerRequestCounters } from '@poolhost/protocol';

export function createWorkerRequestCounters(): WorkerRequestCounters {
  return {
    errors401: 0,
    errors403: 0,
    errors404: 0,
    errors500: 0,
    websocketActiveRequests: 0,
    websocketConnectionAttempts: 0,
    websocketConnectionsAccepted: 0,
    websocketConnectionsRejected: 0,
  };
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
