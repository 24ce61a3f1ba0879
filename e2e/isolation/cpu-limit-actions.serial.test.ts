// <cpu action="KillW3wp"> and <cpu action="NoAction">: a pool that uses more than its limit over the
// monitoring interval gets WAS event 5025; KillW3wp also kills its worker and the next request starts
// a new one, NoAction leaves the worker alone. resetInterval is whole minutes in IIS's schema, so the
// test shortens the monitor's interval with POOLHOST_CPU_RESET_INTERVAL_MS.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPoolhost } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort, httpRequest } from '../support/http.js';
import { waitFor } from '../support/wait.js';
import { appcmd } from '../appcmd/appcmd-process.js';
import { cgroupsAvailable, cpuBurnApp } from './isolation-support.js';

const skip = !cgroupsAvailable() && 'needs root and cgroups';

async function burningPool(action: string) {
  const port = await freePort();
  const poolhost = await startPoolhost(
    {
      config: applicationHostConfig({
        // 1 % of the machine: one spinning thread is far over it on any machine, loaded or not.
        pools: [{ name: 'Burner', cpu: { limit: '1000', action } }],
        sites: [{ name: 'Cpu', id: 1, bindings: [`127.0.0.1:${port}:`], applications: [{ path: '/', pool: 'Burner', physicalPath: '{{root}}/burner' }] }],
      }),
      files: { 'burner/server.js': cpuBurnApp },
      waitForPort: port,
      env: { POOLHOST_CPU_RESET_INTERVAL_MS: '1500' },
    },
    after,
  );
  return { port, poolhost };
}

test('KillW3wp: a pool over its CPU limit gets 5025, its worker is killed, and the next request is served by a new one', { skip }, async () => {
  const { port, poolhost } = await burningPool('KillW3wp');
  const first = await httpRequest({ port, path: '/burn?threads=1&ms=6000' });
  assert.equal(first.status, 200);
  const [event] = await poolhost.waitForEvent(5025, 1, 20_000);
  assert.equal(event!.msg, "Application pool 'Burner' exceeded its job limit settings.");
  assert.match(String(event!.reason), /^used \d+(\.\d)?% of the machine's CPU over 1.5 s; the limit is 1% \(KillW3wp\)$/);
  await waitFor('the burning worker killed', () => !poolhost.workers('Burner').some((worker) => worker.pid === Number(first.text)), 10_000);
  // was's line reaches poolhost's log a moment after the process is gone from /proc.
  await waitFor('was to log the kill', () => poolhost.logLines.some((line) => String(line.msg).startsWith(`application pool 'Burner' exceeded its CPU limit: worker process(es) ${first.text} killed (KillW3wp)`)), 10_000);
  assert.deepEqual(poolhost.events(5009), [], 'a KillW3wp kill is no crash');
  const next = await httpRequest({ port, path: '/again' });
  assert.equal(next.status, 200);
  assert.notEqual(next.text, first.text);
  const detail = (await appcmd(['list', 'apppool', 'Burner', '/text:*'], { env: { POOLHOST_RUN_DIR: poolhost.runDirectory, POOLHOST_CONFIG: poolhost.configFile } })).stdout;
  assert.match(detail, /reason:"the application pool exceeded its CPU limit \(KillW3wp\)"/);
});

test('NoAction: a pool over its CPU limit gets 5025 and keeps its worker', { skip }, async () => {
  const { port, poolhost } = await burningPool('NoAction');
  const first = await httpRequest({ port, path: '/burn?threads=1&ms=5000' });
  const [event] = await poolhost.waitForEvent(5025, 1, 20_000);
  assert.match(String(event!.reason), /the limit is 1% \(NoAction\)$/);
  const next = await httpRequest({ port, path: '/again' });
  assert.equal(next.text, first.text, 'the same worker answers');
  assert.deepEqual(poolhost.workers('Burner').map((worker) => worker.pid), [Number(first.text)]);
});
