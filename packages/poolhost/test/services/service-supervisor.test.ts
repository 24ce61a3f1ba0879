import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ServiceSupervisor } from '../../src/services/service-supervisor.js';
import { FakeClock, settle } from '@poolhost/common/testing';
import { FakeLauncher } from '../support/fake-launcher.js';
import { quietLogger } from '../support/quiet-logger.js';

function setup() {
  const clock = new FakeClock();
  const launcher = new FakeLauncher();
  const lines: string[] = [];
  const supervisor = new ServiceSupervisor({ name: 'was', launcher, clock, logger: quietLogger(lines), policy: { initialDelayMs: 100, maxDelayMs: 400, healthyAfterMs: 10_000 } });
  return { clock, launcher, lines, supervisor };
}

test('a service that dies is restarted with a growing backoff and the restart is logged', async () => {
  const { clock, launcher, lines, supervisor } = setup();
  supervisor.start();
  assert.deepEqual(supervisor.status(), { name: 'was', pid: 500, state: 'Running', restarts: 0 });
  launcher.current('was').exit(null, 'SIGKILL');
  assert.equal(supervisor.status().state, 'Starting');
  assert.match(lines.at(-1)!, /was \(pid 500\) exited unexpectedly \(signal SIGKILL\); restarting it in 100 ms/);
  await clock.advance(100);
  assert.deepEqual(supervisor.status(), { name: 'was', pid: 501, state: 'Running', restarts: 1 });
  launcher.current('was').exit(1, null);
  assert.match(lines.at(-1)!, /exit code 1\); restarting it in 200 ms/);
  await clock.advance(200);
  launcher.current('was').exit(1, null);
  await clock.advance(400);
  launcher.current('was').exit(1, null);
  assert.match(lines.at(-1)!, /restarting it in 400 ms/, 'capped at maxDelayMs');
  await clock.advance(400);
  await clock.advance(10_000);
  launcher.current('was').exit(1, null);
  assert.match(lines.at(-1)!, /restarting it in 100 ms/, 'a healthy run resets the backoff');
});

test('stop sends SIGTERM and does not restart', async () => {
  const { clock, launcher, supervisor } = setup();
  supervisor.start();
  await supervisor.stop(1_000);
  assert.deepEqual(launcher.current('was').signals, ['SIGTERM']);
  await clock.advance(60_000);
  assert.equal(launcher.launched.length, 1);
  assert.deepEqual(supervisor.status(), { name: 'was', pid: null, state: 'Stopped', restarts: 0 });
});

test('a service that ignores SIGTERM is killed at the deadline', async () => {
  const { clock, launcher, supervisor } = setup();
  supervisor.start();
  launcher.current('was').exitsOnTerm = false;
  let done = false;
  const stopping = supervisor.stop(5_000).then(() => (done = true));
  await clock.advance(4_999);
  assert.equal(done, false);
  await clock.advance(1);
  await stopping;
  assert.deepEqual(launcher.current('was').signals, ['SIGTERM', 'SIGKILL']);
});

test('stop during a restart backoff cancels the restart', async () => {
  const { clock, launcher, supervisor } = setup();
  supervisor.start();
  launcher.current('was').exit(1, null);
  await supervisor.stop(1_000);
  await clock.advance(1_000);
  await settle();
  assert.equal(launcher.launched.length, 1);
});
