// The drain's steps in order, on a fake listener, a fake clock and explicit sweep times: the delay, the
// listeners closing (done only when poolhost has closed its copies too), the connections closing at their
// response boundary, the end (or the deadline's cut), undrain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { ListenerDrain, type DrainableListener } from '../../src/drain/listener-drain.js';

/** Lets the promise callbacks and setImmediate work already queued run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

/** closeListeners() resolves only when the test answers for poolhost (answerClose), as CloseUnusedListenSockets does. */
class FakeListener implements DrainableListener {
  open = 3;
  boundaryRequests = 0;
  cut = 0;
  /** The calls in the order the listener received them. */
  readonly calls: string[] = [];
  private readonly unanswered: Array<() => void> = [];
  closeListeners() {
    this.calls.push('closeListeners');
    return new Promise<void>((resolve) => this.unanswered.push(resolve));
  }
  async reopenListeners() {
    this.calls.push('reopenListeners');
  }
  get listening() {
    return this.calls.at(-1) !== 'closeListeners';
  }
  /** poolhost has closed its copies: the oldest closeListeners() resolves. */
  async answerClose() {
    await settle();
    assert.ok(this.unanswered.length > 0, 'a close to answer');
    this.unanswered.shift()!();
    await settle();
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

function setup() {
  const listener = new FakeListener();
  const messages: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void messages.push(JSON.parse(line).msg) });
  const clock = { now: 0 };
  const drain = new ListenerDrain(listener, logger, () => clock.now);
  const closedLogged = () => messages.filter((message) => message.startsWith('drain: listeners closed'));
  return { listener, drain, clock, closedLogged };
}

test('Draining at once; the listeners close after the delay; Drained when the last connection is gone', async () => {
  const { listener, drain, clock, closedLogged } = setup();
  const finished = drain.drain(5_000, 60_000, 1_000);
  assert.equal(drain.state, 'Draining');
  drain.sweep(5_999);
  await settle();
  assert.equal(listener.listening, true, 'the balancers get the delay to notice');
  assert.equal(listener.boundaryRequests, 0);
  drain.sweep(6_000);
  await settle();
  assert.equal(listener.listening, false);
  clock.now = 6_100;
  await listener.answerClose();
  assert.equal(listener.boundaryRequests, 1);
  assert.deepEqual(closedLogged(), ['drain: listeners closed; 3 client connections close at their next response boundary']);
  listener.open = 0;
  drain.sweep(7_500);
  assert.equal(drain.state, 'Drained');
  assert.deepEqual(await finished, { type: 'ListenerDrained', state: 'Drained', elapsedMs: 6_500, connectionsAtClose: 3, connectionsCut: 0 });
  assert.equal(listener.cut, 0);
  assert.deepEqual(await drain.drain(0, 0, 9_000), await finished, 'a drained host answers a second drain at once');
});

test('until poolhost has closed its copies the drain neither says the listeners closed nor counts or closes connections', async () => {
  const { listener, drain, clock, closedLogged } = setup();
  const finished = drain.drain(0, 1_000, 0);
  await settle();
  assert.deepEqual(listener.calls, ['closeListeners']);
  // A connect completed into poolhost's copy meanwhile, and httpsys accepted it before its close.
  listener.open = 4;
  drain.sweep(250);
  drain.sweep(5_000);
  assert.deepEqual(closedLogged(), []);
  assert.equal(listener.boundaryRequests, 0, 'the sweep waits for the close');
  assert.equal(drain.state, 'Draining', 'and the deadline runs from the close, not from the start');
  clock.now = 5_100;
  await listener.answerClose();
  assert.deepEqual(closedLogged(), ['drain: listeners closed; 4 client connections close at their next response boundary']);
  assert.equal(listener.boundaryRequests, 1);
  drain.sweep(6_099);
  assert.equal(drain.state, 'Draining');
  drain.sweep(6_100);
  assert.deepEqual(await finished, { type: 'ListenerDrained', state: 'Drained', elapsedMs: 6_100, connectionsAtClose: 4, connectionsCut: 4 });
});

test('the deadline cuts what is left; undrain listens again', async () => {
  const { listener, drain } = setup();
  const finished = drain.drain(0, 1_000, 0);
  await listener.answerClose();
  assert.equal(listener.listening, false, 'no delay: the listeners close at once');
  drain.sweep(999);
  assert.equal(drain.state, 'Draining');
  drain.sweep(1_000);
  assert.equal((await finished).connectionsCut, 3);
  assert.equal(drain.state, 'Drained');
  await drain.resume(2_000);
  assert.equal(drain.state, 'Serving');
  assert.deepEqual(listener.calls, ['closeListeners', 'reopenListeners']);
});

test('undrain while the listeners close reopens them once the close is done, and the stale close changes nothing', async () => {
  const { listener, drain, closedLogged } = setup();
  const finished = drain.drain(0, 60_000, 0);
  await settle();
  let resumed = false;
  const resuming = drain.resume(100).then(() => (resumed = true));
  assert.equal((await finished).state, 'Serving');
  await settle();
  assert.deepEqual(listener.calls, ['closeListeners'], 'the reopen waits for the close');
  assert.equal(resumed, false);
  await listener.answerClose();
  await resuming;
  assert.deepEqual(listener.calls, ['closeListeners', 'reopenListeners']);
  assert.equal(listener.listening, true);
  assert.deepEqual(closedLogged(), []);
  assert.equal(listener.boundaryRequests, 0);
  assert.equal(drain.state, 'Serving');
});

test('drain, undrain and drain again while the first close runs: the listener sees close, reopen, close, and one close is reported', async () => {
  const { listener, drain, closedLogged } = setup();
  void drain.drain(0, 60_000, 0);
  await settle();
  const resuming = drain.resume(100);
  const finished = drain.drain(0, 60_000, 200);
  await listener.answerClose();
  await resuming;
  assert.deepEqual(closedLogged(), [], 'the first close belongs to the undrained drain');
  assert.equal(drain.state, 'Draining');
  await listener.answerClose();
  assert.deepEqual(listener.calls, ['closeListeners', 'reopenListeners', 'closeListeners']);
  assert.equal(closedLogged().length, 1);
  listener.open = 0;
  drain.sweep(300);
  assert.equal((await finished).state, 'Drained');
});

test('undrain during the delay ends the drain as Serving without closing the listeners', async () => {
  const { listener, drain } = setup();
  const finished = drain.drain(5_000, 60_000, 0);
  await drain.resume(1_000);
  assert.equal((await finished).state, 'Serving');
  drain.sweep(10_000);
  await settle();
  assert.deepEqual(listener.calls, []);
  assert.equal(listener.boundaryRequests, 0);
});
