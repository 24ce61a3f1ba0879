import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FIRST_WORK, firstWorkDone } from '../../src/code-cache/first-work.js';

test("a service's first work reaches its loader once, however often it is reported", () => {
  let calls = 0;
  (globalThis as Record<symbol, () => void>)[FIRST_WORK] = () => calls++;
  try {
    firstWorkDone();
    firstWorkDone();
    firstWorkDone();
    assert.equal(calls, 1);
  } finally {
    delete (globalThis as Record<symbol, unknown>)[FIRST_WORK];
  }
});
