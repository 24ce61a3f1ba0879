// The drain's steps in order, on a fake listener and explicit sweep times: the delay, the listeners
// closing, the connections closing at their response boundary, the end (or the deadline's cut), undrain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { ListenerDrain, type DrainableListener } from '../../src/drain/listener-drain.js';

class FakeListener implements DrainableListener {
  open = 3;
  listening = true;
  boundaryRequests = 0;
  cut = 0;
  async closeListeners() {
    this.listening = false;
  }
  async reopenListeners() {
    this.listening = true;
  }
  closeConnectionsAtResponseBoundary() {
    this.boundaryRequests++;
  }
  openConnections() {
    return this.open;
  }
  cutConnections() {
    const open = this.open;
    this.cut += open;
    this.open = 0;
    return open;
  }
}

const logger = pino({ level: 'silent' });

test('Draining at once; the listeners close after the delay; Drained when the last connection is gone', async () => {
  const listener = new FakeListener();
  const drain = new ListenerDrain(listener, logger);
  const finished = drain.drain(5_000, 60_000, 1_000);
  assert.equal(drain.state, 'Draining');
  drain.sweep(5_999);
  assert.equal(listener.listening, true, 'the balancers get the delay to notice');
  assert.equal(listener.boundaryRequests, 0);
  drain.sweep(6_000);
  assert.equal(listener.listening, false);
  assert.equal(listener.boundaryRequests, 1);
  listener.open = 0;
  drain.sweep(7_500);
  assert.equal(drain.state, 'Drained');
  assert.deepEqual(await finished, { type: 'ListenerDrained', state: 'Drained', elapsedMs: 6_500, connectionsAtClose: 3, connectionsCut: 0 });
  assert.equal(listener.cut, 0);
  assert.deepEqual(await drain.drain(0, 0, 9_000), await finished, 'a drained host answers a second drain at once');
});

test('the deadline cuts what is left; undrain listens again', async () => {
  const listener = new FakeListener();
  const drain = new ListenerDrain(listener, logger);
  const finished = drain.drain(0, 1_000, 0);
  assert.equal(listener.listening, false, 'no delay: the listeners close at once');
  drain.sweep(999);
  assert.equal(drain.state, 'Draining');
  drain.sweep(1_000);
  assert.equal((await finished).connectionsCut, 3);
  assert.equal(drain.state, 'Drained');
  await drain.resume(2_000);
  assert.equal(drain.state, 'Serving');
  assert.equal(listener.listening, true);
});

test('undrain during the delay ends the drain as Serving without closing the listeners', async () => {
  const listener = new FakeListener();
  const drain = new ListenerDrain(listener, logger);
  const finished = drain.drain(5_000, 60_000, 0);
  await drain.resume(1_000);
  assert.equal((await finished).state, 'Serving');
  drain.sweep(10_000);
  assert.equal(listener.listening, true);
  assert.equal(listener.boundaryRequests, 0);
});
