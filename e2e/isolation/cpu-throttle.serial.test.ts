// <cpu limit="20000" action="Throttle">: a pool whose application spins a thread per CPU gets no more
// than 20 % of the machine (+ 5 points) over 10 s, measured from the worker's own CPU time in /proc,
// and the kernel reports the group throttled; a second pool answers throughout. The pool's cgroup is
// gone after the stop. (On an idle machine it gets 20 %; on a loaded one its fair share may be less,
// so the lower bound only says it ran: docs/process-model.md, Isolation.)
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import { startPoolhost } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort, httpRequest } from '../support/http.js';
import { pidApp } from '../support/apps.js';
import { sleep } from '../support/wait.js';
import { cgroupFile, cgroupKey, cgroupsAvailable, cpuBurnApp, cpuSeconds, poolIsolation } from './isolation-support.js';

test('Throttle holds a CPU-burning pool to its limit of the whole machine while another pool serves', { skip: !cgroupsAvailable() && 'needs root and cgroups' }, async () => {
  const port = await freePort();
  const poolhost = await startPoolhost(
    {
      config: applicationHostConfig({
        pools: [{ name: 'Burner', cpu: { limit: '20000', action: 'Throttle' } }, { name: 'Neighbour' }],
        sites: [
          {
            name: 'Throttle',
            id: 1,
            bindings: [`127.0.0.1:${port}:`],
            applications: [
              { path: '/', pool: 'Neighbour', physicalPath: '{{root}}/neighbour' },
              { path: '/burner', pool: 'Burner', physicalPath: '{{root}}/burner' },
            ],
          },
        ],
      }),
      files: { 'burner/server.js': cpuBurnApp, 'neighbour/server.js': pidApp },
      waitForPort: port,
    },
    after,
  );
  const cpus = availableParallelism();
  const started = await httpRequest({ port, path: `/burner/burn?threads=${cpus}&ms=14000` });
  assert.equal(started.status, 200);
  const pid = Number(started.text);
  const isolation = await poolIsolation(poolhost.runDirectory, 'Burner');
  assert.match(isolation.cgroup, /\/poolhost\/[0-9a-f]{12}-\d+\/Burner$/);
  await sleep(1_000);

  const statuses: number[] = [];
  let measuring = true;
  const neighbour = (async () => {
    while (measuring) {
      statuses.push((await httpRequest({ port, path: '/n' })).status);
      await sleep(50);
    }
  })();
  const cpuStat = cgroupFile(isolation.cgroup, 'cpu', 'cpu.stat');
  const throttledBefore = cgroupKey(cpuStat, 'nr_throttled');
  const before = cpuSeconds(pid);
  const startedAt = Date.now();
  await sleep(10_000);
  const used = (cpuSeconds(pid) - before) / (((Date.now() - startedAt) / 1000) * cpus);
  measuring = false;
  await neighbour;
  console.log(`# Burner used ${(used * 100).toFixed(1)}% of the machine over 10 s with limit="20000" action="Throttle"`);
  assert.ok(used >= 0.05 && used <= 0.25, `the throttled pool used ${(used * 100).toFixed(1)}% of the machine, not at most 20% + 5`);
  assert.ok(cgroupKey(cpuStat, 'nr_throttled') > throttledBefore, 'the kernel throttled the pool\'s group');
  assert.ok(statuses.length > 10 && statuses.every((status) => status === 200), `the neighbour pool answered ${statuses.filter((status) => status !== 200).length} of ${statuses.length} requests with an error`);

  const { leftovers } = await poolhost.stop();
  assert.deepEqual(leftovers, []);
  assert.equal(existsSync(isolation.cgroup), false, `${isolation.cgroup} is removed when the pool stops`);
});
