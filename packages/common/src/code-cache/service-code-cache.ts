// When a service saves the V8 code cache of its bundle. V8 caches what has been compiled when the cache
// is made, and compiles lazily: a cache made just after the start would hold none of the code a demand
// start runs. So a service whose cache was missing or refused saves it a moment after its first real
// work (./first-work.ts), or, if it stops cleanly before that, at its exit — holding its start only
// (`start-up`); a service that finds a `start-up` cache saves again once it has worked. A `work` cache
// found is kept. A save never throws and happens at most twice per process.
import type { CachedBundle } from './cached-bundle.js';
import { FIRST_WORK } from './first-work.js';

/** Long enough for the rest of the first demand start (ATTACH, the answer) to have run in the service. */
export const SAVE_AFTER_FIRST_WORK_MS = 2_000;

export interface ServiceCodeCacheEvents {
  /** Calls `listener` on the service's first real work. */
  onFirstWork(listener: () => void): void;
  /** Calls `listener` when the process exits with code 0 (a stop on request). */
  onCleanExit(listener: () => void): void;
  /** A timer that never holds the process. */
  later(callback: () => void, delayMs: number): void;
}

/** The process's own events: the first-work symbol, `exit` with code 0, an unref'd timer. */
export const processEvents: ServiceCodeCacheEvents = {
  onFirstWork(listener) {
    (globalThis as Record<symbol, () => void>)[FIRST_WORK] = listener;
  },
  onCleanExit(listener) {
    process.once('exit', (code) => {
      if (code === 0) listener();
    });
  },
  later(callback, delayMs) {
    setTimeout(callback, delayMs).unref();
  },
};

export function saveServiceCodeCache(bundle: Pick<CachedBundle, 'state' | 'coverage' | 'save'>, events: ServiceCodeCacheEvents = processEvents): void {
  if (bundle.state === 'used' && bundle.coverage === 'work') return;
  let worked = false;
  let savedWork = false;
  const saveWork = (): void => {
    if (savedWork) return;
    savedWork = true;
    bundle.save('work');
  };
  events.onFirstWork(() => {
    worked = true;
    events.later(saveWork, SAVE_AFTER_FIRST_WORK_MS);
  });
  events.onCleanExit(() => {
    if (worked) saveWork();
    // A `start-up` cache that was used holds this much already.
    else if (bundle.state !== 'used') bundle.save('start-up');
  });
}
