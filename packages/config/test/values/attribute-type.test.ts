import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatAttributeValue, parseAttributeValue } from '../../src/values/attribute-type.js';

const flags = { kind: 'flags', values: ['Time', 'Requests', 'Schedule', 'Memory'] } as const;

test('flag lists tolerate spaces and case, and come out canonical in schema order', () => {
  assert.deepEqual(parseAttributeValue(flags, 'requests,TIME'), { ok: true, value: ['Time', 'Requests'] });
  assert.deepEqual(parseAttributeValue(flags, ' Time ,  Requests '), { ok: true, value: ['Time', 'Requests'] });
  assert.deepEqual(parseAttributeValue(flags, ''), { ok: true, value: [] });
  assert.equal(formatAttributeValue(flags, ['Time', 'Requests']), 'Time, Requests');
});

test('an unknown flag is refused with the flag named', () => {
  const parsed = parseAttributeValue(flags, 'Time, Sometimes');
  assert.equal(parsed.ok, false);
  assert.equal(!parsed.ok && parsed.problem === 'notFlags' && parsed.unknown, 'Sometimes');
});

test('enums are case-insensitive with canonical casing out', () => {
  const type = { kind: 'enum', values: ['Integrated', 'Classic'] } as const;
  assert.deepEqual(parseAttributeValue(type, 'classic'), { ok: true, value: 'Classic' });
  assert.equal(parseAttributeValue(type, 'Hybrid').ok, false);
});

test('booleans are case-insensitive', () => {
  assert.deepEqual(parseAttributeValue({ kind: 'bool' }, 'True'), { ok: true, value: true });
  assert.deepEqual(parseAttributeValue({ kind: 'bool' }, 'FALSE'), { ok: true, value: false });
  assert.equal(parseAttributeValue({ kind: 'bool' }, 'yes').ok, false);
});

test('numbers are decimal and range-checked', () => {
  const type = { kind: 'uint', min: 10, max: 65535 } as const;
  assert.deepEqual(parseAttributeValue(type, '4000'), { ok: true, value: 4000 });
  assert.deepEqual(parseAttributeValue(type, '5'), { ok: false, problem: 'outOfRange', min: 10, max: 65535 });
  assert.deepEqual(parseAttributeValue(type, '1e3'), { ok: false, problem: 'notNumber' });
});

test('timeSpans are range- and granularity-checked in seconds', () => {
  const type = { kind: 'timeSpan', minSeconds: 0, maxSeconds: 2592000, granularitySeconds: 60 } as const;
  assert.deepEqual(parseAttributeValue(type, '00:05:00'), { ok: true, value: 300_000 });
  assert.deepEqual(parseAttributeValue(type, '00:05:30'), { ok: false, problem: 'timeSpanGranularity', granularitySeconds: 60 });
  assert.deepEqual(parseAttributeValue(type, '31.00:00:00'), { ok: false, problem: 'timeSpanOutOfRange', minSeconds: 0, maxSeconds: 2592000 });
});
