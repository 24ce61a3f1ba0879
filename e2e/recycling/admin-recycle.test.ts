import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPoolhost } from '../support/poolhost-instance.js';
import { freePort } from '../support/http.js';
import { pidApp } from '../support/apps.js';
import { waitFor } from '../support/wait.js';
import { pidAlive, pidOf, recycle, singlePoolConfig } from './recycling-support.js';

test('an administrator recycle (5079) replaces the worker: a new PID answers, the old one exits', async () => {
  const port = await freePort();
  const poolhost = await startPoolhost({ config: singlePoolConfig(port, { name: 'Admin' }), files: { 'app/server.js': pidApp }, waitForPort: port }, after);
  const before = await pidOf(port);
  await recycle(poolhost, 'Admin');
  const [event] = await poolhost.waitForEvent(5079);
  assert.equal(event!.msg, "An administrator has requested a recycle of all worker processes in application pool 'Admin'.");
  await waitFor('a new worker to answer', async () => (await pidOf(port)) !== before, 10_000);
  await waitFor('the old worker to exit', () => !pidAlive(before), 10_000);
});
