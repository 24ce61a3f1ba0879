// serverRuntime frequentHitThreshold / frequentHitTimePeriod on a fake clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '@poolhost/common/testing';
import { FrequentHits } from '../../../src/modules/http-cache/frequent-hits.js';

test('a URL is frequently hit at the threshold-th request within the period; the window restarts after it', async () => {
  const clock = new FakeClock();
  const hits = new FrequentHits(2, 10_000, clock);
  assert.equal(hits.hit('/a'), false);
  await clock.advance(9_999);
  assert.equal(hits.hit('/a'), true);
  assert.equal(hits.hit('/b'), false, 'counted per URL');
  await clock.advance(10_001);
  assert.equal(hits.hit('/b'), false, 'the period passed: a new window');
  assert.equal(hits.hit('/b'), true);
  assert.equal(new FrequentHits(1, 10_000, clock).hit('/c'), true, 'threshold 1: the first request');
});
