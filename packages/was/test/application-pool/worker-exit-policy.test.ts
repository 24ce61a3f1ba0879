import { test } from 'node:test';
import assert from 'node:assert/strict';
import { workerExitActions, type WorkerExitFacts } from '../../src/application-pool/worker-exit-policy.js';

const crash = { kind: 'crash', exitCode: 1, signal: null } as const;
const facts = (overrides: Partial<WorkerExitFacts>): WorkerExitFacts => ({ role: 'active', reason: { kind: 'idleTimeout' }, attached: true, standbyTookOver: false, heldDemandReleased: false, alwaysRunning: false, ...overrides });

test('an attached active worker that crashes: the standby takes over, the failure counts, then the next standby', () => {
  assert.deepEqual(workerExitActions(facts({ reason: crash })), ['promoteStandby', 'countFailure', 'announceListenerChannel', 'startStandby']);
});

test('a crash whose place httpsys already handed to the standby (StandbyPromoted first) promotes nothing more', () => {
  assert.deepEqual(workerExitActions(facts({ reason: crash, standbyTookOver: true })), ['countFailure', 'announceListenerChannel', 'startStandby']);
});

test('a planned exit (idle timeout, recycle) counts nothing and promotes nothing', () => {
  assert.deepEqual(workerExitActions(facts({})), ['announceListenerChannel', 'startStandby']);
  assert.deepEqual(workerExitActions(facts({ role: 'retiring', reason: { kind: 'recycle', trigger: 'Schedule' } })), ['announceListenerChannel', 'startStandby']);
});

test('a worker that fails before it attached promotes nothing, holds demand back and starts no standby', () => {
  for (const reason of [crash, { kind: 'startupTimeout' } as const, { kind: 'startupFailed', message: 'broken' } as const]) {
    assert.deepEqual(workerExitActions(facts({ reason, attached: false })), ['countFailure', 'delayDemand', 'announceListenerChannel'], reason.kind);
  }
  // A failed spawn is no failure for rapid-fail protection, but still holds demand back.
  assert.deepEqual(workerExitActions(facts({ reason: { kind: 'spawnFailed', message: 'ENOENT' }, attached: false })), ['delayDemand', 'announceListenerChannel']);
});

test('the standby itself crashing promotes nothing: it only counts, and the next standby starts', () => {
  assert.deepEqual(workerExitActions(facts({ role: 'standby', reason: crash })), ['countFailure', 'announceListenerChannel', 'startStandby']);
});

test('a replacement or a retiring worker that crashes after it attached promotes the standby too (httpsys does)', () => {
  for (const role of ['replacement', 'retiring'] as const) {
    assert.equal(workerExitActions(facts({ role, reason: crash }))[0], 'promoteStandby', role);
  }
});

test('the last worker of a non-overlapped recycle releases the held demand; AlwaysRunning restarts last', () => {
  assert.deepEqual(workerExitActions(facts({ role: 'retiring', reason: { kind: 'recycle', trigger: 'ConfigChange' }, heldDemandReleased: true, alwaysRunning: true })), [
    'announceListenerChannel',
    'releaseHeldDemand',
    'startStandby',
    'restartAlwaysRunning',
  ]);
});
