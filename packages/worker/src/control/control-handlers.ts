// w3wp's one handler table for its control channel with was (newline-delimited JSON on POOLHOST_CONTROL_FD).
import type { HandlerTable, WorkerHealth, WorkerRequestList } from '@poolhost/protocol';
import type { WorkerProcess } from '../worker-process.js';

export function controlHandlers(worker: WorkerProcess): HandlerTable {
  return {
    PingWorker: () =>
      ({
        type: 'WorkerHealth',
        requestsServed: worker.requestsServed,
        requestsInFlight: worker.requestsInFlight,
        counters: worker.requestCounters,
      }) satisfies WorkerHealth,
    StopWorker: async (message) => {
      void worker.stop(message.reason, message.shutdownTimeLimit);
      // Acknowledged once httpsys confirmed the DETACH: from then on no new request reaches this worker.
      await worker.stoppedTakingRequests();
      return { type: 'Acknowledged' };
    },
    ListWorkerRequests: () => ({ type: 'WorkerRequestList', requests: worker.executingRequests() }) satisfies WorkerRequestList,
  };
}
