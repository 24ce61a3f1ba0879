import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StateMachine, InvalidTransitionError } from '../src/index.js';

type State = 'Stopped' | 'Starting' | 'Started' | 'Stopping';
type Event = 'start' | 'started' | 'stop' | 'stopped';
const table = [
  { from: 'Stopped', event: 'start', to: 'Starting' },
  { from: 'Starting', event: 'started', to: 'Started' },
  { from: ['Starting', 'Started'], event: 'stop', to: 'Stopping' },
  { from: 'Stopping', event: 'stopped', to: 'Stopped' },
] as const;

test('transitions follow the table and are reported with their reason', () => {
  const seen: string[] = [];
  const machine = new StateMachine<State, Event>('pool A', 'Stopped', table, undefined, (from, to, event, reason) =>
    seen.push(`${from}->${to} on ${event}: ${reason}`),
  );
  machine.fire('start', 'autoStart');
  machine.fire('started', 'queue enabled');
  machine.fire('stop', 'admin');
  assert.equal(machine.state, 'Stopping');
  assert.deepEqual(seen, ['Stopped->Starting on start: autoStart', 'Starting->Started on started: queue enabled', 'Started->Stopping on stop: admin']);
});

test('an event in the wrong state names the states where it is allowed', () => {
  const machine = new StateMachine<State, Event>('pool A', 'Stopped', table);
  assert.equal(machine.can('stop'), false);
  assert.throws(() => machine.fire('stop', 'admin'), (error: unknown) => {
    assert.ok(error instanceof InvalidTransitionError);
    assert.equal(error.message, 'pool A: stop is not allowed in state Stopped (allowed in: Starting, Started)');
    return true;
  });
  assert.equal(machine.state, 'Stopped');
});
