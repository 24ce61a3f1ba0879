import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from '@poolhost/common';
import { FakeClock, settle } from '@poolhost/common/testing';
import { SpareWorkers } from '../../src/spare-workers/spare-workers.js';
import { FakeSpareSpawner } from '../support/fake-spare-spawner.js';

function setup() {
  const clock = new FakeClock();
  const spawner = new FakeSpareSpawner(clock);
  const lines: string[] = [];
  const logger = createLogger({ service: 'was', destination: new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) }) });
  return { clock, spawner, lines, spares: new SpareWorkers({ spawner, clock, logger }) };
}

test('spareWorkers="2" keeps two spares; only a booted one is taken, and a new one starts the moment one is taken', async () => {
  const { spawner, spares } = setup();
  spares.resize(2);
  await settle();
  assert.equal(spawner.spares.length, 2);
  assert.equal(spares.take(), null, 'a spare still booting is not taken');
  spawner.spares[0]!.boot();
  await settle();
  assert.deepEqual(spares.waitingPids, [spawner.spares[0]!.pid]);
  const taken = spares.take();
  assert.equal(taken?.pid, spawner.spares[0]!.pid);
  await settle();
  assert.equal(spawner.spares.length, 3, 'the taken spare is replaced at once');
  assert.equal(spares.take(), null, 'the taken spare is never handed out again, and the others are still booting');
});

test('a spare that dies before it boots is retried after 1 s, then 2 s; one that ends while waiting is replaced at once', async () => {
  const { clock, spawner, spares, lines } = setup();
  spares.resize(1);
  await settle();
  spawner.spares[0]!.exit(1, null);
  await settle();
  assert.equal(spawner.spares.length, 1, 'no loop of failing boots');
  assert.match(lines.join(''), /exited before it booted \(exit code 1\); the next spare starts in 1000 ms/);
  await clock.advance(1_000);
  assert.equal(spawner.spares.length, 2);
  spawner.spares[1]!.exit(1, null);
  await clock.advance(1_999);
  assert.equal(spawner.spares.length, 2, 'the second retry waits 2 s');
  await clock.advance(1);
  assert.equal(spawner.spares.length, 3);
  spawner.spares[2]!.boot();
  await settle();
  spawner.spares[2]!.exit(75, null);
  await settle();
  assert.equal(spawner.spares.length, 4, 'a spare that lost httpsys while waiting is replaced without delay');
});

test('resize down stops the surplus; stop() ends every spare and starts none after', async () => {
  const { spawner, spares } = setup();
  spares.resize(3);
  await settle();
  for (const spare of spawner.spares) spare.boot();
  await settle();
  spares.resize(1);
  await settle();
  assert.equal(spawner.alive().length, 1);
  assert.equal(spares.waitingPids.length, 1);
  await spares.stop();
  assert.equal(spawner.alive().length, 0);
  assert.deepEqual(spawner.spares.map((spare) => spare.signals[0]), ['SIGTERM', 'SIGTERM', 'SIGTERM']);
  spares.resize(2);
  await settle();
  assert.equal(spawner.spares.length, 3, 'nothing starts after stop');
});

test('while httpsys does not listen yet (was started first), spares are tried again every 250 ms without an error', async () => {
  const { clock, spawner, spares, lines } = setup();
  spawner.failWith = Object.assign(new Error('connect ENOENT /run/httpsys-data.sock'), { code: 'ENOENT' });
  spares.resize(1);
  await clock.advance(600);
  assert.doesNotMatch(lines.join(''), /could not be started/);
  spawner.failWith = null;
  await clock.advance(250);
  assert.equal(spawner.spares.length, 1);
});
