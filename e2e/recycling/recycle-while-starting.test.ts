// A recycle asked for while the pool's worker is still starting is applied, as IIS applies it: the worker
// is marked, serves once ready, and is replaced (overlapped) by a new one; 5079 is written for the request.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startPoolhost } from '../support/poolhost-instance.js';
import { freePort, httpRequest } from '../support/http.js';
import { waitFor } from '../support/wait.js';
import { askWas } from '../support/runtime-client.js';
import { appcmd } from '../appcmd/appcmd-process.js';
import { pidAlive, pidOf, singlePoolConfig } from './recycling-support.js';

// The first worker to load it waits (while loading, so was sees it Starting) until the test creates
// `released`; later workers load at once. A gate, not a delay: the recycle surely lands during the start.
const gatedFirstStartApp = `
const fs = require('node:fs');
const path = require('node:path');
const marker = path.join(__dirname, 'first-start');
if (!fs.existsSync(marker)) {
  fs.writeFileSync(marker, String(process.pid));
  const gate = path.join(__dirname, 'released');
  const pause = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + 60_000;
  while (!fs.existsSync(gate) && Date.now() < deadline) Atomics.wait(pause, 0, 0, 20);
}
module.exports = (req, res) => res.end(String(process.pid));
`;

test('appcmd recycle apppool while the demand-started worker is loading: 5079, the worker answers once ready and is then replaced', async () => {
  const port = await freePort();
  const poolhost = await startPoolhost({ config: singlePoolConfig(port, { name: 'Slow' }), files: { 'app/server.js': gatedFirstStartApp }, waitForPort: port }, after);
  const appFolder = join(poolhost.root, 'app');
  const firstAnswer = httpRequest({ port, path: '/first' });
  let starting = 0;
  await waitFor(
    'the demand-started worker to be listed as Starting',
    async () => {
      const { workers } = await askWas(poolhost.runDirectory, { type: 'ListWorkerProcesses', applicationPool: 'Slow' });
      starting = workers.find((worker) => worker.state === 'Starting' && worker.pid !== 0)?.pid ?? 0;
      return starting !== 0 && existsSync(join(appFolder, 'first-start'));
    },
    30_000,
  );

  const env = { POOLHOST_RUN_DIR: poolhost.runDirectory, POOLHOST_CONFIG: poolhost.configFile };
  const recycled = await appcmd(['recycle', 'apppool', 'Slow'], { env });
  assert.deepEqual([recycled.code, recycled.stdout], [0, '"Slow" successfully recycled\n'], recycled.stderr);
  const [event] = await poolhost.waitForEvent(5079);
  assert.equal(event!.msg, "An administrator has requested a recycle of all worker processes in application pool 'Slow'.");
  const { workers } = await askWas(poolhost.runDirectory, { type: 'ListWorkerProcesses', applicationPool: 'Slow' });
  assert.deepEqual(workers.map((worker) => [worker.pid, worker.state]), [[starting, 'Starting']], 'the recycle landed while the worker was starting');

  writeFileSync(join(appFolder, 'released'), '');
  const first = await firstAnswer;
  assert.deepEqual([first.status, first.text], [200, String(starting)], 'the worker that was starting serves the request that demanded it');
  let answeredBy = starting;
  await waitFor('a new worker to answer', async () => (answeredBy = await pidOf(port)) !== starting, 30_000);
  await waitFor('the recycled worker to exit', () => !pidAlive(starting), 30_000);

  // was records the exit when it has reaped the process, a moment after it is gone from /proc.
  const journal = await (async () => {
    let last = await askWas(poolhost.runDirectory, { type: 'GetEventJournal', applicationPool: 'Slow' });
    await waitFor('was to record the recycled worker\'s exit', async () => (last = await askWas(poolhost.runDirectory, { type: 'GetEventJournal', applicationPool: 'Slow' })).workerHistory.length > 0, 10_000);
    return last;
  })();
  assert.deepEqual(
    journal.workerHistory.map((entry) => [entry.pid, entry.reason]),
    [[starting, 'recycle (OnDemand)']],
  );
  assert.deepEqual(journal.events.map((entry) => entry.eventId), [5079], 'no failure: only the administrator\'s request is logged');
  const { workers: remaining } = await askWas(poolhost.runDirectory, { type: 'ListWorkerProcesses', applicationPool: 'Slow' });
  assert.deepEqual(remaining.map((worker) => [worker.pid, worker.state]), [[answeredBy, 'Running']]);
});
