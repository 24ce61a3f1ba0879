// A CacheableEventSink for tests: it keeps FREB's events in order, a deferred one filled in place when its
// verdict comes (as the request's TraceBuffer does).
import type { CacheableEventSink } from '../../../src/modules/http-cache/kernel-cache-offer.js';

export type CacheableEventData = Record<string, string | number | boolean>;

export function recordingCacheableSink(): { trace: CacheableEventSink; events: Array<[string, CacheableEventData]> } {
  const events: Array<[string, CacheableEventData]> = [];
  const trace = {
    event: (opcode: string, data: CacheableEventData) => void events.push([opcode, data]),
    deferredEvent: (opcode: string, provisional: CacheableEventData) => {
      const event: [string, CacheableEventData] = [opcode, provisional];
      events.push(event);
      return (data: CacheableEventData) => void (event[1] = data);
    },
  };
  return { trace, events };
}
