import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPoolhost } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort, httpRequest } from '../support/http.js';
import { pidApp } from '../support/apps.js';
import { waitFor } from '../support/wait.js';

test('a web garden of 3 starts workers as load asks and spreads concurrent requests by fewest in flight', async () => {
  const port = await freePort();
  const poolhost = await startPoolhost(
    {
      config: applicationHostConfig({
        pools: [{ name: 'Garden', processModel: { maxProcesses: '3' } }],
        sites: [{ name: 'Garden', id: 1, bindings: [`127.0.0.1:${port}:`], applications: [{ path: '/', pool: 'Garden', physicalPath: '{{root}}/app' }] }],
      }),
      files: { 'app/server.js': pidApp },
      waitForPort: port,
    },
    after,
  );
  const concurrentRound = async (count: number): Promise<string[]> =>
    (await Promise.all(Array.from({ length: count }, (_, index) => httpRequest({ port, path: `/slow/${index}?delay=400` })))).map(
      (response) => {
        assert.equal(response.status, 200);
        return response.text;
      },
    );

  // Busy workers make httpsys ask for more, up to maxProcesses; wait until all three are attached and
  // serving (a process that exists may still be starting).
  await waitFor('three workers serving in the garden', async () => new Set(await concurrentRound(6)).size === 3, 20_000, 0);
  const round = await concurrentRound(6);
  const counts = new Map<string, number>();
  for (const pid of round) counts.set(pid, (counts.get(pid) ?? 0) + 1);
  const gardenPids = poolhost.workers('Garden').map((info) => String(info.pid)).sort();
  assert.deepEqual([...counts.keys()].sort(), gardenPids, 'every worker of the garden served');
  assert.deepEqual([...counts.values()], [2, 2, 2], 'six concurrent requests spread two per worker');
  assert.equal(poolhost.workers('Garden').length, 3, 'never more than maxProcesses');
});
