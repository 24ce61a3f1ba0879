import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CodeCacheCoverage, CodeCacheState } from '../../src/code-cache/code-cache.js';
import { saveServiceCodeCache, SAVE_AFTER_FIRST_WORK_MS, type ServiceCodeCacheEvents } from '../../src/code-cache/service-code-cache.js';

/** A service's life driven by hand: its first work, the timer's moment, its clean exit; the saves it made. */
function service(state: CodeCacheState, coverage: CodeCacheCoverage = 'start-up') {
  const saves: CodeCacheCoverage[] = [];
  let firstWork: (() => void) | undefined;
  let cleanExit: (() => void) | undefined;
  const timers: Array<{ callback: () => void; delayMs: number }> = [];
  const events: ServiceCodeCacheEvents = {
    onFirstWork: (listener) => void (firstWork = listener),
    onCleanExit: (listener) => void (cleanExit = listener),
    later: (callback, delayMs) => void timers.push({ callback, delayMs }),
  };
  saveServiceCodeCache({ state, coverage, save: (saved) => (saves.push(saved), true) }, events);
  return {
    saves,
    listens: () => firstWork !== undefined || cleanExit !== undefined,
    work: () => firstWork!(),
    moment: () => {
      for (const timer of timers.splice(0)) {
        assert.equal(timer.delayMs, SAVE_AFTER_FIRST_WORK_MS);
        timer.callback();
      }
    },
    exit: () => cleanExit!(),
  };
}

test('a service that compiled from source saves a moment after its first work, and not again at its exit', () => {
  for (const state of ['missing', 'rejected'] as const) {
    const run = service(state);
    run.work();
    assert.deepEqual(run.saves, []);
    run.moment();
    assert.deepEqual(run.saves, ['work']);
    run.exit();
    assert.deepEqual(run.saves, ['work']);
  }
});

test('a service stopped before the moment after its first work saves at its exit, with that work', () => {
  const run = service('missing');
  run.work();
  run.exit();
  assert.deepEqual(run.saves, ['work']);
  run.moment();
  assert.deepEqual(run.saves, ['work']);
});

test('a service stopped before any work saves its start at its exit', () => {
  const run = service('rejected');
  run.exit();
  assert.deepEqual(run.saves, ['start-up']);
});

test('a start-up cache is used, and replaced once the service has worked', () => {
  const idle = service('used', 'start-up');
  idle.exit();
  assert.deepEqual(idle.saves, []);
  const worked = service('used', 'start-up');
  worked.work();
  worked.moment();
  worked.exit();
  assert.deepEqual(worked.saves, ['work']);
});

test('a cache that holds the first work is kept as it is', () => {
  const run = service('used', 'work');
  assert.equal(run.listens(), false);
  assert.deepEqual(run.saves, []);
});
