import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPoolhost } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort, httpRequest } from '../support/http.js';
import { pidApp } from '../support/apps.js';
import { serviceUnavailableBody } from '../support/iis-bodies.js';
import { sleep } from '../support/wait.js';
import { getLoad, statusSummary } from './support/load.js';
import { servicePid } from './support/orphans.js';

/** Loads, serves for 150 ms, then crashes (exit 3): every worker of its pool dies young. */
const crashLoopApp = `
setTimeout(() => process.exit(3), 150);
module.exports = (req, res) => res.end(String(process.pid));
`;

const HEALTHY = ['A', 'B', 'C'];
const MAX_CRASHES = 5;

test('a crash loop in one pool trips rapid-fail protection while three other pools keep a 100 % success rate under concurrent load', async () => {
  const port = await freePort();
  const poolhost = await startPoolhost(
    {
      config: applicationHostConfig({
        pools: [
          ...HEALTHY.map((name) => ({ name, failure: { rapidFailProtectionMaxCrashes: String(MAX_CRASHES) } })),
          { name: 'Crashy', failure: { rapidFailProtectionMaxCrashes: String(MAX_CRASHES), rapidFailProtectionInterval: '00:05:00' } },
        ],
        sites: [
          {
            name: 'Site',
            id: 1,
            bindings: [`127.0.0.1:${port}:`],
            applications: [
              { path: '/', pool: 'A', physicalPath: '{{root}}/healthy' },
              ...HEALTHY.map((name) => ({ path: `/${name.toLowerCase()}`, pool: name, physicalPath: '{{root}}/healthy' })),
              { path: '/crashy', pool: 'Crashy', physicalPath: '{{root}}/crashy' },
            ],
          },
        ],
      }),
      files: { 'healthy/server.js': pidApp, 'crashy/server.js': crashLoopApp },
      waitForPort: port,
    },
    after,
  );
  const httpsys = servicePid(poolhost, 'httpsys');
  // 4 keep-alive clients per healthy pool, and 4 clients hammering the crashing pool.
  const healthy = HEALTHY.map((name) => getLoad(port, 4, (client, sequence) => `/${name.toLowerCase()}/${client}-${sequence}`));
  const crashy = getLoad(port, 4, (client, sequence) => `/crashy/${client}-${sequence}`, 5_000);
  after(() => Promise.all([...healthy, crashy].map((load) => load.stop())).then(() => undefined));
  const started = Date.now();
  const [tripped] = await poolhost.waitForEvent(5002, 1, 20_000);
  const trippedAfter = Date.now() - started;
  // Keep the load on for a while after the pool was disabled.
  await sleep(1_500);
  const results = await Promise.all(healthy.map((load) => load.stop()));
  const crashyResult = await crashy.stop();

  assert.match(String(tripped!.msg), /Application pool 'Crashy' is being automatically disabled/);
  assert.equal(poolhost.events(5002).length, 1, 'only the crashing pool was disabled');
  const crashes = poolhost.events(5009).filter((event) => String(event.msg).includes("'Crashy'")).length;
  assert.equal(crashes, MAX_CRASHES, `${crashes} crashes of Crashy before it was disabled`);
  assert.equal(poolhost.events(5009).length, MAX_CRASHES, 'no other pool had a crash');
  const summaries = HEALTHY.map((name, index) => `${name}: ${results[index]!.total} requests, ${results[index]!.failures.length} failed`);
  console.log(`crash loop: Crashy disabled after ${trippedAfter} ms and ${crashes} crashes (${crashyResult.total} requests to it: ${statusSummary(crashyResult)}); ${summaries.join('; ')}`);
  for (const [index, result] of results.entries()) {
    assert.deepEqual(result.failures, [], `${HEALTHY[index]}: ${statusSummary(result)}`);
    assert.ok(result.total > 100, `${HEALTHY[index]} served ${result.total}`);
  }
  const disabled = await httpRequest({ port, path: '/crashy/after' });
  assert.equal(disabled.status, 503);
  assert.equal(disabled.text, serviceUnavailableBody);
  assert.equal(poolhost.workers('Crashy').length, 0, 'a disabled pool starts no worker');
  for (const name of HEALTHY) assert.ok(poolhost.workers(name).length >= 1, `${name} still has its worker`);
  assert.equal(servicePid(poolhost, 'httpsys'), httpsys, 'httpsys never restarted');
});
