// httpsys' one handler table for its control channel: w3svc programs it; inetmgr reads its counters;
// `poolhost http` shows and flushes the kernel response cache; poolhost drains and resumes it.
import type { HandlerTable } from '@poolhost/protocol';
import type { HttpSys } from '../http-sys.js';

export function controlHandlers(httpSys: HttpSys): HandlerTable {
  return {
    ApplyUrlGroups: async (message, channel) => {
      httpSys.programmedBy(channel);
      const failures = await httpSys.applyUrlGroups(message);
      return failures.length === 0
        ? { type: 'Acknowledged' }
        : { type: 'Acknowledged', detail: failures.map((failure) => failure.message).join('; ') };
    },
    SetRequestQueueState: (message) => {
      httpSys.setRequestQueueState(message.state);
    },
    GetListenerCounters: () => httpSys.counters(),
    GetResponseCacheState: (message) => ({ type: 'ResponseCacheState', entries: httpSys.kernelCache.describe(message.url) }),
    DrainListener: (message) => httpSys.drain.drain(message.delayMs, message.timeLimitMs),
    ResumeListener: async () => {
      await httpSys.drain.resume();
      return { type: 'Acknowledged' };
    },
    FlushResponseCache: (message) => ({ type: 'ResponseCacheFlushed', flushedUris: httpSys.kernelCache.flush(message.url, message.recursive) }),
  };
}
