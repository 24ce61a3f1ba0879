import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readRuntimeCounters, startEventLoopDelayMonitor } from '../../src/counters/worker-request-counters.js';

const blockFor = (ms: number): void => {
  const until = Date.now() + ms;
  while (Date.now() < until);
};
const turn = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

test('the event-loop delay reads null (unknown) until its monitor starts, then the delay since the previous reading', async () => {
  // Not started yet (the worker starts it a moment after it is ready): no delay is known, and the heap is still read.
  const before = readRuntimeCounters();
  assert.equal(before.eventLoopDelayP99Ms, null);
  assert.equal(before.eventLoopDelayMaxMs, null);
  assert.ok(before.heapUsedBytes! > 0);
  startEventLoopDelayMonitor();
  startEventLoopDelayMonitor(); // once
  await turn(50);
  blockFor(120);
  await turn(50);
  const after = readRuntimeCounters();
  assert.ok(after.eventLoopDelayMaxMs! >= 50, `max ${after.eventLoopDelayMaxMs} ms after blocking the loop for 120 ms`);
  assert.ok(after.eventLoopDelayP99Ms! > 0);
});
