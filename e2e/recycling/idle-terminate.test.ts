import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPoolhost } from '../support/poolhost-instance.js';
import { freePort } from '../support/http.js';
import { pidApp } from '../support/apps.js';
import { waitFor } from '../support/wait.js';
import { pidAlive, pidOf, singlePoolConfig } from './recycling-support.js';

// idleTimeout is whole minutes (IIS schema): this test takes a little over a minute.
test('idleTimeoutAction Terminate: an idle worker exits (5186) and the next request starts a new one', async () => {
  const port = await freePort();
  const poolhost = await startPoolhost(
    { config: singlePoolConfig(port, { name: 'Sleepy', processModel: { idleTimeout: '00:01:00' } }), files: { 'app/server.js': pidApp }, waitForPort: port },
    after,
  );
  const before = await pidOf(port);
  const lastRequest = Date.now();
  const [event] = await poolhost.waitForEvent(5186, 1, 75_000);
  const idleFor = Date.now() - lastRequest;
  // Not before idleTimeout; after it, within the idle check's period plus a margin for a loaded machine.
  assert.ok(idleFor >= 60_000 && idleFor < 68_000, `shut down ${idleFor} ms after the last request`);
  assert.equal(
    event!.msg,
    `A worker process with process id of '${before}' serving application pool 'Sleepy' was shutdown due to inactivity. Application Pool timeout configuration was set to 1 minutes. A new worker process will be started when needed.`,
  );
  await waitFor('the idle worker to exit', () => !pidAlive(before), 15_000);
  const next = await pidOf(port);
  assert.notEqual(next, before);
});
