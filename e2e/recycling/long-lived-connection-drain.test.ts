import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startPoolhost } from '../support/poolhost-instance.js';
import { freePort } from '../support/http.js';
import { eventStreamApp } from '../support/apps.js';
import { waitFor } from '../support/wait.js';
import { pidAlive, pidOf, recycle, singlePoolConfig } from './recycling-support.js';

test('an event stream on a recycled worker lasts until shutdownTimeLimit, then is closed and the worker is gone', async () => {
  const port = await freePort();
  const poolhost = await startPoolhost(
    { config: singlePoolConfig(port, { name: 'Streams', processModel: { shutdownTimeLimit: '00:00:03' } }), files: { 'app/server.js': eventStreamApp }, waitForPort: port },
    after,
  );
  const before = await pidOf(port);
  let received = '';
  let recycledAt = 0;
  const ended = new Promise<number>((resolve) => {
    request({ host: '127.0.0.1', port, path: '/events' }, (response) => {
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (received += chunk));
      response.on('end', () => resolve(Date.now()));
      response.on('error', () => resolve(Date.now()));
    }).on('error', () => resolve(Date.now())).end();
  });
  await waitFor('the first event', () => received.includes(`data: ${before}`));
  recycledAt = Date.now();
  await recycle(poolhost, 'Streams');
  // The replacement's start (a Node process) can take seconds on a loaded 2-core machine.
  await waitFor('the new worker to answer', async () => (await pidOf(port)) !== before, 30_000);
  const replacementAnsweredAt = Date.now();
  assert.equal(pidAlive(before), true, 'the old worker drains while the stream is open');
  const endedAt = await ended;
  const lasted = endedAt - recycledAt;
  // Overlapped recycle: the old worker is told to stop once its replacement is ready, so shutdownTimeLimit
  // counts from then, not from the recycle: the upper bound is measured from the replacement's first answer
  // (which follows its readiness), so a slow replacement start does not eat the margin.
  const afterReplacement = endedAt - replacementAnsweredAt;
  assert.ok(lasted >= 1_500 && afterReplacement <= 3_000 + 5_000, `the stream lasted ${lasted} ms after the recycle, ${afterReplacement} ms after the replacement answered (shutdownTimeLimit 3 s)`);
  await waitFor('the old worker to exit', () => !pidAlive(before), 8_000);
});
