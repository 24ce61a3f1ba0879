// w3wp's one handler table for its control channel with was (the Node IPC channel).
import type { HandlerTable, WorkerHealth, WorkerRequestList } from '@poolhost/protocol';
import type { WorkerProcess } from '../worker-process.js';

export function controlHandlers(worker: WorkerProcess): HandlerTable {
  return {
    PingWorker: () =>
      ({
        type: 'WorkerHealth',
        requestsServed: worker.requestsServed,
        requestsInFlight: worker.requestsInFlight,
      }) satisfies WorkerHealth,
    StopWorker: (message) => {
      // Acknowledge first; the drain runs after the reply is on its way.
      setImmediate(() => void worker.stop(message.reason, message.shutdownTimeLimit));
      return { type: 'Acknowledged' };
    },
    ListWorkerRequests: () => ({ type: 'WorkerRequestList', requests: worker.executingRequests() }) satisfies WorkerRequestList,
  };
}
