import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatIndexer, parseIndexerKeys, parsePropertyPath, PropertyPathError } from '../../src/syntax/property-path.js';

test('dotted names become name steps', () => {
  assert.deepEqual(parsePropertyPath('recycling.periodicRestart.time'), [
    { kind: 'name', name: 'recycling' },
    { kind: 'name', name: 'periodicRestart' },
    { kind: 'name', name: 'time' },
  ]);
});

test('indexers keep dots and colons inside quoted values', () => {
  assert.deepEqual(parsePropertyPath("[name='.NET v4.5'].recycling.periodicRestart.schedule.[value='03:00:00']"), [
    { kind: 'indexer', keys: [{ name: 'name', value: '.NET v4.5' }] },
    { kind: 'name', name: 'recycling' },
    { kind: 'name', name: 'periodicRestart' },
    { kind: 'name', name: 'schedule' },
    { kind: 'indexer', keys: [{ name: 'value', value: '03:00:00' }] },
  ]);
});

test('combined keys, double quotes, bare values and @-prefixed names', () => {
  assert.deepEqual(parseIndexerKeys("protocol='http',bindingInformation='*:81:'"), [
    { name: 'protocol', value: 'http' },
    { name: 'bindingInformation', value: '*:81:' },
  ]);
  assert.deepEqual(parseIndexerKeys('@name="a b", path=x'), [
    { name: 'name', value: 'a b' },
    { name: 'path', value: 'x' },
  ]);
});

test('name[indexer] without a dot is accepted', () => {
  assert.deepEqual(parsePropertyPath("bindings[protocol='http']"), [
    { kind: 'name', name: 'bindings' },
    { kind: 'indexer', keys: [{ name: 'protocol', value: 'http' }] },
  ]);
});

test('malformed paths are refused', () => {
  assert.throws(() => parsePropertyPath("[name='x"), PropertyPathError);
  assert.throws(() => parsePropertyPath('a..b'), PropertyPathError);
  assert.throws(() => parsePropertyPath('[]'), PropertyPathError);
  assert.throws(() => parsePropertyPath(''), PropertyPathError);
});

test('formatIndexer writes IIS indexer syntax', () => {
  assert.equal(formatIndexer({ kind: 'indexer', keys: [{ name: 'name', value: 'x' }, { name: 'path', value: '*' }] }), "[name='x',path='*']");
});
