import { test } from 'node:test';
import assert from 'node:assert/strict';
import { debugNodeFlags } from '../../src/services/debug-node-flags.js';

test('POOLHOST_DEBUG_NODE_FLAGS_<SERVICE> gives Node flags to that service alone', () => {
  const env = { POOLHOST_DEBUG_NODE_FLAGS_HTTPSYS: ' --cpu-prof  --cpu-prof-dir=/tmp/prof ' };
  assert.deepEqual(debugNodeFlags('httpsys', env), ['--cpu-prof', '--cpu-prof-dir=/tmp/prof']);
  assert.deepEqual(debugNodeFlags('was', env), []);
});

test('an unset or empty variable gives no flags', () => {
  assert.deepEqual(debugNodeFlags('w3svc', {}), []);
  assert.deepEqual(debugNodeFlags('w3svc', { POOLHOST_DEBUG_NODE_FLAGS_W3SVC: '' }), []);
});
