import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPoolhost } from '../support/poolhost-instance.js';
import { freePort, httpRequest } from '../support/http.js';
import { pidApp } from '../support/apps.js';
import { pidAlive, pidOf, recycle, singlePoolConfig } from './recycling-support.js';

test('disallowOverlappingRotation: the old worker finishes first, requests wait in the queue and are answered by the new one', async () => {
  const port = await freePort();
  const poolhost = await startPoolhost(
    { config: singlePoolConfig(port, { name: 'Serial', recycling: { disallowOverlappingRotation: 'true' } }), files: { 'app/server.js': pidApp }, waitForPort: port },
    after,
  );
  const before = await pidOf(port);
  const inFlight = httpRequest({ port, path: '/slow?delay=1000' });
  await new Promise((resolve) => setTimeout(resolve, 100));
  await recycle(poolhost, 'Serial');
  // Sent while the old worker drains: it waits in httpsys's queue for the new worker.
  const waiting = httpRequest({ port, path: '/after' });
  const [slow, next] = await Promise.all([inFlight, waiting]);
  assert.equal(slow.status, 200);
  assert.equal(Number(slow.text), before, 'the old worker finished what it had in flight');
  assert.equal(next.status, 200);
  assert.notEqual(Number(next.text), before, 'the waiting request was answered by the new worker');
  assert.equal(pidAlive(before), false, 'the old worker had exited');
});
