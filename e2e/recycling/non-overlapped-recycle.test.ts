import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startPoolhost } from '../support/poolhost-instance.js';
import { freePort, httpRequest } from '../support/http.js';
import { markingPidApp } from '../support/apps.js';
import { waitFor } from '../support/wait.js';
import { pidAlive, pidOf, recycle, singlePoolConfig } from './recycling-support.js';

test('disallowOverlappingRotation: the old worker finishes first, requests wait in the queue and are answered by the new one', async () => {
  const port = await freePort();
  const poolhost = await startPoolhost(
    { config: singlePoolConfig(port, { name: 'Serial', recycling: { disallowOverlappingRotation: 'true' } }), files: { 'app/server.js': markingPidApp }, waitForPort: port },
    after,
  );
  const before = await pidOf(port);
  // The recycle comes once the slow request is in the worker (not after a guessed 100 ms, which a loaded
  // machine can outrun: the request would then wait in the queue for the new worker).
  const inFlight = httpRequest({ port, path: '/slow?delay=8000&mark=slow-started', timeoutMs: 30_000 });
  await waitFor('the slow request to reach the worker', () => existsSync(join(poolhost.root, 'slow-started')), 15_000);
  await recycle(poolhost, 'Serial');
  // Sent once httpsys says the old worker detached from the queue (the recycle's reply does not wait for
  // that): it waits in httpsys's queue for the new worker.
  const detached = `worker ${before} detached from request queue Serial`;
  await waitFor('the old worker to detach', () => poolhost.logLines.some((line) => line.msg === detached), 15_000);
  assert.equal(poolhost.logLines.find((line) => line.msg === detached)!.inFlight, 1, 'it detached with the slow request in flight');
  const waiting = httpRequest({ port, path: '/after', timeoutMs: 30_000 });
  const [slow, next] = await Promise.all([inFlight, waiting]);
  assert.equal(slow.status, 200);
  assert.equal(Number(slow.text), before, 'the old worker finished what it had in flight');
  assert.equal(next.status, 200);
  assert.notEqual(Number(next.text), before, 'the waiting request was answered by the new worker');
  assert.equal(pidAlive(before), false, 'the old worker had exited');
});
