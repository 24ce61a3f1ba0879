import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchesFilter, parseFilter } from '../../src/syntax/filter.js';

test('equality is case-insensitive', () => {
  assert.equal(matchesFilter(parseFilter('state', 'started'), 'Started'), true);
  assert.equal(matchesFilter(parseFilter('state', 'Started'), 'Stopped'), false);
});

test('range operators compare numbers numerically', () => {
  assert.equal(matchesFilter(parseFilter('id', '$>2'), '10'), true);
  assert.equal(matchesFilter(parseFilter('id', '$<2'), '10'), false);
  assert.equal(matchesFilter(parseFilter('id', '$>=10'), '10'), true);
  assert.equal(matchesFilter(parseFilter('id', '$<=9'), '10'), false);
  assert.equal(matchesFilter(parseFilter('id', '$<>10'), '10'), false);
});

test('$= is a wildcard match', () => {
  assert.equal(matchesFilter(parseFilter('name', '$=Default*'), 'DefaultAppPool'), true);
  assert.equal(matchesFilter(parseFilter('name', '$=?efault'), 'Default'), true);
  assert.equal(matchesFilter(parseFilter('name', '$=x.y'), 'xzy'), false);
});

test('a missing property matches only "not equal"', () => {
  assert.equal(matchesFilter(parseFilter('nope', 'x'), undefined), false);
  assert.equal(matchesFilter(parseFilter('nope', '$<>x'), undefined), true);
});
