import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHarness, demand } from '../support/was-harness.js';
import { settle } from '@poolhost/common/testing';

test('standbyWorker: a standby is started once the pool has a worker, and takes over when that worker crashes', async () => {
  const { spawner, call } = await createHarness([{ name: 'Hot', attributes: 'standbyWorker="true"' }]);
  await call(demand('Hot'));
  assert.equal(spawner.workers.length, 1);
  assert.equal(spawner.last.request.standby ?? false, false);
  spawner.last.ready();
  await settle();
  assert.equal(spawner.workers.length, 2, 'the standby is started when the first worker is ready');
  const [active, standby] = spawner.workers;
  assert.equal(standby!.request.standby, true);
  standby!.ready();
  // The standby does not count as a worker that takes requests: NoWorker demand still means "none active".
  active!.exit(1, null);
  await settle();
  // Promoted (httpsys hands it the queue on its side), and the next standby is on its way.
  assert.equal(spawner.workers.length, 3);
  assert.equal(spawner.last.request.standby, true);
  await call(demand('Hot'));
  assert.equal(spawner.workers.length, 3, 'the promoted standby serves: no demand start');
});

test('without standbyWorker no extra worker is started', async () => {
  const { spawner, call } = await createHarness([{ name: 'Cold' }]);
  await call(demand('Cold'));
  spawner.last.ready();
  await settle();
  assert.equal(spawner.workers.length, 1);
});

test('standbyWorker: a worker that fails before it is ready does not promote the standby', async () => {
  const { spawner, call, clock } = await createHarness([{ name: 'Hot', attributes: 'standbyWorker="true"', children: '<processModel maxProcesses="2" />' }]);
  await call(demand('Hot'));
  spawner.last.ready();
  await settle();
  const standby = spawner.workers[1]!;
  standby.ready();
  await call(demand('Hot', 'AllWorkersBusy'));
  assert.equal(spawner.workers.length, 3, 'the web garden grows');
  spawner.last.exit(1, null); // crashed while starting: it never attached in httpsys
  await settle();
  await clock.advance(1_000); // the next start waits 1 s after a failed one
  await call(demand('Hot', 'AllWorkersBusy'));
  assert.equal(spawner.workers.length, 4, 'the standby stays a standby: another worker is started for the garden');
  assert.equal(spawner.last.request.standby ?? false, false);
});
