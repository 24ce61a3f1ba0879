import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatTimeSpan, parseTimeSpan } from '../../src/values/time-span.js';

test('parses hh:mm:ss into milliseconds', () => {
  assert.equal(parseTimeSpan('00:01:30'), 90_000);
  assert.equal(parseTimeSpan('00:20:00'), 1_200_000);
  assert.equal(parseTimeSpan('00:00:00'), 0);
});

test('hours may exceed 23 (periodicRestart default 29:00:00)', () => {
  assert.equal(parseTimeSpan('29:00:00'), 29 * 3600_000);
});

test('days are written d.hh:mm:ss', () => {
  assert.equal(parseTimeSpan('1.00:00:00'), 86_400_000);
  assert.equal(parseTimeSpan('30.00:00:00'), 30 * 86_400_000);
  assert.equal(parseTimeSpan('1.05:00:00'), 29 * 3600_000);
});

test('fractional seconds are kept to the millisecond', () => {
  assert.equal(parseTimeSpan('00:00:01.5'), 1500);
  assert.equal(parseTimeSpan('00:00:00.2500000'), 250);
  assert.equal(parseTimeSpan('00:00:00.001'), 1);
});

test('hh:mm without seconds is accepted, as .NET does', () => {
  assert.equal(parseTimeSpan('03:00'), 3 * 3600_000);
});

test('rejects text that is not a timeSpan, naming the value', () => {
  assert.throws(() => parseTimeSpan('20'), /"20" is not a timeSpan; expected hh:mm:ss or d\.hh:mm:ss/);
  assert.throws(() => parseTimeSpan('abc'), /"abc" is not a timeSpan/);
  assert.throws(() => parseTimeSpan('00:60:00'), /60 minutes/);
  assert.throws(() => parseTimeSpan('00:00:61'), /61 seconds/);
  assert.throws(() => parseTimeSpan('-00:01:00'), /not a timeSpan/);
});

test('formats milliseconds in IIS form', () => {
  assert.equal(formatTimeSpan(90_000), '00:01:30');
  assert.equal(formatTimeSpan(0), '00:00:00');
  assert.equal(formatTimeSpan(29 * 3600_000), '1.05:00:00');
  assert.equal(formatTimeSpan(86_400_000), '1.00:00:00');
  assert.equal(formatTimeSpan(1500), '00:00:01.5000000');
});

test('format and parse round-trip', () => {
  for (const ms of [0, 1000, 60_000, 1_740 * 60_000, 2_592_000_000, 1234]) assert.equal(parseTimeSpan(formatTimeSpan(ms)), ms);
});
