import { test } from 'node:test';
import assert from 'node:assert/strict';
import { msUntilNextScheduledTime } from '../../src/recycling/schedule.js';

const at = (hours: number, minutes: number, seconds = 0) => {
  const date = new Date(2024, 5, 10, hours, minutes, seconds, 0);
  return date.getTime();
};
const offset = (hours: number, minutes: number) => (hours * 60 + minutes) * 60_000;

test('the next scheduled time of day is later today, or tomorrow', () => {
  assert.equal(msUntilNextScheduledTime(at(2, 0), [offset(3, 0)]), 60 * 60_000);
  assert.equal(msUntilNextScheduledTime(at(4, 0), [offset(3, 0)]), 23 * 60 * 60_000);
  assert.equal(msUntilNextScheduledTime(at(3, 0), [offset(3, 0)]), 24 * 60 * 60_000, 'exactly now is the next day');
  assert.equal(msUntilNextScheduledTime(at(12, 0), [offset(3, 0), offset(13, 30), offset(23, 0)]), 90 * 60_000);
  assert.equal(msUntilNextScheduledTime(at(12, 0), []), null);
});
