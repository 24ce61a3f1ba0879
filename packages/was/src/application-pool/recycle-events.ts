// Which event a recycle writes, and whether `recycling@logEventOnRecycle` lets it be written.
import type { RecycleReason } from '@poolhost/config';
import type { WasEventId } from '../event-log/event-templates.js';

export const recycleEventIds: Record<RecycleReason, WasEventId> = {
  Time: 5074,
  Requests: 5075,
  Schedule: 5076,
  Memory: 5077,
  IsapiUnhealthy: 5078,
  OnDemand: 5079,
  ConfigChange: 5080,
  PrivateMemory: 5117,
};

/** The placeholders of each recycle event: worker-requested ones name the pid first (5074–5078). */
export function recycleEventValues(trigger: RecycleReason, applicationPool: string, pid: number): Array<string | number> {
  switch (trigger) {
    case 'Time':
    case 'Requests':
    case 'Schedule':
    case 'Memory':
    case 'IsapiUnhealthy':
      return [pid, applicationPool];
    default:
      return [applicationPool];
  }
}
