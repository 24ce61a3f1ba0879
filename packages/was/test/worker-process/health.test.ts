import { test } from 'node:test';
import assert from 'node:assert/strict';
import { settle } from '@poolhost/common/testing';
import { createHarness, demand } from '../support/was-harness.js';

const fast = '<processModel pingInterval="00:00:01" pingResponseTime="00:00:02" startupTimeLimit="00:00:03" shutdownTimeLimit="00:00:04" />';

test('a worker that stops answering pings is killed (5010) and counts as a failure', async () => {
  const { spawner, call, clock, was } = await createHarness([{ name: 'AppA', children: fast + '<failure rapidFailProtectionMaxCrashes="1" />' }]);
  await call(demand('AppA'));
  const worker = spawner.last;
  worker.ready();
  await clock.advance(1_000);
  assert.ok(worker.received.some((message) => message.type === 'PingWorker'));
  assert.deepEqual(worker.signals, []);
  worker.answersPings = false;
  await clock.advance(1_000 + 2_000);
  assert.deepEqual(worker.signals, ['SIGKILL']);
  await settle();
  const { events, workerHistory } = was.eventLog.journal();
  assert.deepEqual(events.map((event) => event.eventId), [5010, 5002]);
  assert.equal(events[0]!.message, "A process serving application pool 'AppA' failed to respond to a ping. The process id was '1000'.");
  assert.equal(workerHistory[0]!.reason, 'ping timeout');
});

test('a replacement is started on the next demand after a ping kill', async () => {
  const { spawner, call, clock } = await createHarness([{ name: 'AppA', children: fast }]);
  await call(demand('AppA'));
  spawner.last.ready();
  spawner.last.answersPings = false;
  await clock.advance(3_000);
  assert.equal(spawner.alive('AppA').length, 0);
  await call(demand('AppA'));
  assert.equal(spawner.alive('AppA').length, 1);
  assert.notEqual(spawner.last.pid, 1000);
});

test('a worker that never becomes ready is killed at startupTimeLimit (5012)', async () => {
  const { spawner, call, clock, was } = await createHarness([{ name: 'AppA', children: fast }]);
  await call(demand('AppA'));
  await clock.advance(2_999);
  assert.deepEqual(spawner.last.signals, []);
  await clock.advance(1);
  assert.deepEqual(spawner.last.signals, ['SIGKILL']);
  const { events, workerHistory } = was.eventLog.journal();
  assert.deepEqual(events.map((event) => event.eventId), [5012]);
  assert.equal(workerHistory[0]!.reason, 'startup time limit exceeded');
});

test('a worker stopped while starting that answers nothing is killed at startupTimeLimit, not at shutdownTimeLimit', async () => {
  const { spawner, call, clock, was } = await createHarness([{ name: 'AppA', children: fast }]);
  await call(demand('AppA'));
  const worker = spawner.last;
  // Its start blocks its JavaScript (an application's top level that never returns): it reads nothing.
  worker.answersStop = false;
  worker.exitsOnStop = false;
  const stopping = call({ type: 'StopApplicationPool', name: 'AppA' });
  await clock.advance(1_000);
  assert.ok(worker.received.some((message) => message.type === 'StopWorker'));
  await clock.advance(1_999);
  assert.deepEqual(worker.signals, []);
  await clock.advance(1);
  assert.deepEqual(worker.signals, ['SIGKILL']);
  await stopping;
  assert.equal(was.applicationPool('AppA')?.state, 'Stopped');
  const { events, workerHistory } = was.eventLog.journal();
  assert.deepEqual(events.map((event) => event.eventId), []);
  assert.equal(workerHistory[0]!.reason, 'application pool stopped by an administrator');
});

test('a worker stopped while starting that acknowledges the stop gets shutdownTimeLimit to finish', async () => {
  const { spawner, call, clock } = await createHarness([{ name: 'AppA', children: fast }]);
  await call(demand('AppA'));
  const worker = spawner.last;
  worker.exitsOnStop = false;
  const stopping = call({ type: 'StopApplicationPool', name: 'AppA' });
  await clock.advance(3_000);
  assert.deepEqual(worker.signals, []);
  await clock.advance(1_000);
  assert.deepEqual(worker.signals, ['SIGKILL']);
  await stopping;
});

test('a stopping worker that does not exit is killed at shutdownTimeLimit (5013), not a failure', async () => {
  const { spawner, call, clock, was } = await createHarness([{ name: 'AppA', children: fast + '<failure rapidFailProtectionMaxCrashes="1" />' }]);
  await call(demand('AppA'));
  const worker = spawner.last;
  worker.ready();
  worker.exitsOnStop = false;
  const stopping = call({ type: 'StopApplicationPool', name: 'AppA' });
  await settle();
  assert.equal(was.applicationPool('AppA')?.state, 'Stopping');
  const stop = worker.received.find((message) => message.type === 'StopWorker');
  assert.deepEqual(stop, { type: 'StopWorker', reason: 'application pool stopped by an administrator', shutdownTimeLimit: 4_000 });
  await clock.advance(4_000);
  await stopping;
  assert.deepEqual(worker.signals, ['SIGKILL']);
  assert.equal(was.applicationPool('AppA')?.state, 'Stopped');
  const { events, workerHistory } = was.eventLog.journal();
  assert.deepEqual(events.map((event) => event.eventId), [5013]);
  assert.equal(workerHistory[0]!.reason, 'application pool stopped by an administrator');
});

test('a broken IPC channel with the process still alive is a fatal communication error (5011)', async () => {
  const { spawner, call, clock, was } = await createHarness([{ name: 'AppA', children: fast }]);
  await call(demand('AppA'));
  spawner.last.ready();
  spawner.last.breakChannel();
  await clock.advance(1_000);
  assert.deepEqual(spawner.last.signals, ['SIGKILL']);
  assert.deepEqual(was.eventLog.journal().events.map((event) => event.eventId), [5011]);
});

test('a worker that reports a startup failure is terminated and counted', async () => {
  const { spawner, call, was } = await createHarness([{ name: 'AppA', children: '<failure rapidFailProtectionMaxCrashes="1" />' }]);
  await call(demand('AppA'));
  spawner.last.send({ type: 'WorkerStartupFailed', message: 'server.js threw' });
  await settle();
  assert.deepEqual(spawner.last.signals, ['SIGTERM']);
  assert.equal(was.applicationPool('AppA')?.state, 'Stopped');
  assert.equal(was.eventLog.journal().workerHistory[0]!.reason, 'startup failed: server.js threw');
});

test('idle workers of an OnDemand pool are shut down (5186)', async () => {
  const { spawner, call, clock, was } = await createHarness([{ name: 'AppA', children: '<processModel idleTimeout="00:01:00" pingInterval="00:00:10" />' }]);
  await call(demand('AppA'));
  spawner.last.ready();
  await clock.advance(70_000);
  assert.ok(spawner.last.received.some((message) => message.type === 'StopWorker'));
  const events = was.eventLog.journal().events;
  assert.equal(
    events[0]!.message,
    "A worker process with process id of '1000' serving application pool 'AppA' was shutdown due to inactivity. Application Pool timeout configuration was set to 1 minutes. A new worker process will be started when needed.",
  );
});
