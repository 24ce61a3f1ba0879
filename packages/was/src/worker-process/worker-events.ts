// The WAS events about one worker process (5009–5013), written with the pool, the pid and the reason.
import type { EventLog } from '../event-log/event-log.js';

export type WorkerEventId = 5009 | 5010 | 5011 | 5012 | 5013;

export function writeWorkerEvent(
  eventLog: EventLog,
  eventId: WorkerEventId,
  worker: { applicationPoolName: string; pid: number },
  reason: string,
  exitCode?: string,
): void {
  const values: Array<string | number> = [worker.applicationPoolName, worker.pid];
  if (exitCode !== undefined) values.push(exitCode);
  eventLog.write(eventId, values, { applicationPool: worker.applicationPoolName, pid: worker.pid, reason });
}
