import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPoolhost } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort } from '../support/http.js';
import { pidApp } from '../support/apps.js';
import { askWas } from '../support/runtime-client.js';
import { sleep, waitFor } from '../support/wait.js';
import { getLoad, statusSummary } from './support/load.js';

test('40 recycles 200 ms apart under load: zero failed requests, no worker left over', async () => {
  const port = await freePort();
  const poolhost = await startPoolhost(
    {
      config: applicationHostConfig({
        pools: [{ name: 'Storm', processModel: { maxProcesses: '2', shutdownTimeLimit: '00:00:05' } }, { name: 'Calm' }],
        sites: [
          {
            name: 'Storm',
            id: 1,
            bindings: [`127.0.0.1:${port}:`],
            applications: [
              { path: '/', pool: 'Storm', physicalPath: '{{root}}/app' },
              { path: '/calm', pool: 'Calm', physicalPath: '{{root}}/app' },
            ],
          },
        ],
      }),
      files: { 'app/server.js': pidApp },
      waitForPort: port,
    },
    after,
  );
  const load = getLoad(port, 8, (client, sequence) => (client === 0 ? `/calm/${sequence}` : `/storm/${client}-${sequence}?delay=15`));
  after(() => load.stop().then(() => undefined));
  await waitFor('load to flow', () => load.completed() > 50, 10_000);
  const calmWorker = poolhost.workers('Calm').map((info) => info.pid);
  const stormStarted = Date.now();
  // A count, not a duration: on a busy machine each request to was takes longer, and the storm must
  // still be 40 recycles deep.
  const recycles = 40;
  for (let recycle = 0; recycle < recycles; recycle++) {
    await askWas(poolhost.runDirectory, { type: 'RecycleApplicationPool', name: 'Storm' });
    await sleep(200);
  }
  const starved = load.starved(stormStarted, Date.now(), 4);
  await sleep(1_000);
  const result = await load.stop();

  assert.deepEqual(result.failures.slice(0, 10), [], `${result.failures.length} failures; ${statusSummary(result)}`);
  assert.deepEqual(starved, [], `every client was served all through the storm (${result.total} requests)`);
  // Every old worker drains and exits: at most maxProcesses remain once the storm is over.
  await waitFor('the storm pool to settle at maxProcesses or fewer', () => poolhost.workers('Storm').length <= 2, 10_000);
  assert.deepEqual(poolhost.workers('Calm').map((info) => info.pid), calmWorker, 'the other pool was untouched');
  assert.ok(poolhost.events(5079).length >= recycles / 2, `${poolhost.events(5079).length} recycle events`);
});
