import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RapidFailProtection } from '../../src/rapid-fail/rapid-fail-protection.js';
import { FakeClock } from '@poolhost/common/testing';

test('N failures within T trip protection, on the Nth exactly', async () => {
  const clock = new FakeClock();
  const protection = new RapidFailProtection({ enabled: true, maxFailures: 3, intervalMs: 60_000 }, clock);
  assert.equal(protection.recordFailure(), false);
  await clock.advance(10_000);
  assert.equal(protection.recordFailure(), false);
  assert.equal(protection.recordFailure(), true);
  assert.equal(protection.count, 0);
});

test('failures older than T are forgotten', async () => {
  const clock = new FakeClock();
  const protection = new RapidFailProtection({ enabled: true, maxFailures: 2, intervalMs: 60_000 }, clock);
  protection.recordFailure();
  await clock.advance(60_000);
  assert.equal(protection.recordFailure(), false);
  assert.equal(protection.count, 1);
});

test('disabled protection never trips', () => {
  const protection = new RapidFailProtection({ enabled: false, maxFailures: 1, intervalMs: 60_000 }, new FakeClock());
  assert.equal(protection.recordFailure(), false);
});
