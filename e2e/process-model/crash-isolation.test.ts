import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPoolhost } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort, httpRequest } from '../support/http.js';
import { pidApp } from '../support/apps.js';
import { waitFor } from '../support/wait.js';

test("SIGKILL of pool A's worker leaves pool B answering every request, and A's next request gets a new worker", async () => {
  const port = await freePort();
  const poolhost = await startPoolhost(
    {
      config: applicationHostConfig({
        pools: [{ name: 'PoolA' }, { name: 'PoolB' }],
        sites: [
          {
            name: 'Isolation',
            id: 1,
            bindings: [`127.0.0.1:${port}:`],
            applications: [
              { path: '/', pool: 'PoolB', physicalPath: '{{root}}/b' },
              { path: '/a', pool: 'PoolA', physicalPath: '{{root}}/a' },
            ],
          },
        ],
      }),
      files: { 'a/server.js': pidApp, 'b/server.js': pidApp },
      waitForPort: port,
    },
    after,
  );
  const first = await httpRequest({ port, path: '/a/x' });
  const poolBFirst = await httpRequest({ port, path: '/b/x' });
  assert.equal(first.status, 200);
  assert.equal(poolBFirst.status, 200);
  const [workerA] = poolhost.workers('PoolA');
  assert.ok(workerA);
  assert.equal(first.text, String(workerA.pid));

  // Pool B under steady load while A's worker is killed.
  let stop = false;
  const results: number[] = [];
  const load = (async () => {
    while (!stop) {
      const response = await httpRequest({ port, path: '/b/steady' });
      results.push(response.status);
    }
  })();
  await waitFor('some pool B traffic', () => results.length >= 20);
  process.kill(workerA.pid, 'SIGKILL');
  await waitFor('worker A gone', () => !poolhost.workers('PoolA').some((info) => info.pid === workerA.pid));
  const seenBefore = results.length;
  await waitFor('pool B traffic after the kill', () => results.length >= seenBefore + 50);
  stop = true;
  await load;
  assert.ok(results.every((status) => status === 200), `pool B answered ${results.filter((s) => s !== 200).length} requests with an error`);
  assert.equal(poolBFirst.text, (await httpRequest({ port, path: '/b/y' })).text, "pool B's worker was never touched");

  const next = await httpRequest({ port, path: '/a/again' });
  assert.equal(next.status, 200);
  assert.notEqual(next.text, first.text, 'pool A is served by a replacement worker');
  assert.equal(next.text, String(poolhost.workers('PoolA')[0]!.pid));
  const crashEvents = await poolhost.waitForEvent(5009);
  assert.match(String(crashEvents[0]!.msg), new RegExp(`A process serving application pool 'PoolA' terminated unexpectedly\\. The process id was '${workerA.pid}'\\.`));
});
