// A real HAProxy in front of one poolhost host, reading its agent check: the weight follows the pool's
// free capacity, a stopped site is put in maintenance, a stopped pool marks the server down with the
// reason, and each comes back when the administrator starts it again. /health/ready agrees.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPoolhost } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort, httpRequest } from '../support/http.js';
import { pidApp } from '../support/apps.js';
import { waitFor } from '../support/wait.js';
import { agentAnswer, haproxyFarmFrontend, startHaproxy } from '../support/haproxy.js';
import { appcmd } from '../appcmd/appcmd-process.js';

test('HAProxy agent check: weight from free capacity, maint for a stopped site, down#reason for a stopped pool', async () => {
  const [shopPort, blogPort, adminPort, agentPort, frontPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
  const poolhost = await startPoolhost(
    {
      config: applicationHostConfig({
        pools: [
          { name: 'Shop', failure: { rapidFailProtection: 'false' } },
          { name: 'Blog', failure: { rapidFailProtection: 'false' } },
        ],
        sites: [
          { name: 'Shop', id: 1, bindings: [`127.0.0.1:${shopPort}:`], applications: [{ path: '/', pool: 'Shop', physicalPath: '{{root}}/app' }] },
          { name: 'Blog', id: 2, bindings: [`127.0.0.1:${blogPort}:`], applications: [{ path: '/', pool: 'Blog', physicalPath: '{{root}}/app' }] },
        ],
        webManagement: { ipAddress: '127.0.0.1', port: String(adminPort), agentCheckPort: String(agentPort) },
      }),
      files: { 'app/server.js': pidApp },
      // Ten requests at a time per worker: four held on a frozen worker leave 60 % free.
      env: { POOLHOST_WORKER_CAPACITY: '10' },
      waitForPort: shopPort,
    },
    after,
  );
  const haproxy = await startHaproxy(
    `${haproxyFarmFrontend(frontPort)}
backend shop
  option httpchk GET /health/ready/Shop
  server host1 127.0.0.1:${shopPort} weight 100 check port ${adminPort} inter 1s agent-check agent-port ${agentPort} agent-inter 500ms agent-send "Shop\\n"
`,
    after,
  );
  const weight = async () => (await haproxy.command('get weight shop/host1')).trim();
  const status = async () => (await haproxy.serverStat('shop', 'host1')).status;
  const env = { POOLHOST_RUN_DIR: poolhost.runDirectory };
  /** waitFor, saying on timeout what the agent answered and what HAProxy made of it. */
  const waitForHaproxy = (what: string, condition: () => Promise<boolean>, timeoutMs: number) =>
    waitFor(what, condition, timeoutMs).catch(async (error: Error) => {
      const stat = await haproxy.serverStat('shop', 'host1');
      throw new Error(`${error.message}; the agent answers ${JSON.stringify(await agentAnswer(agentPort, 'Shop'))}; HAProxy: weight ${await weight()}, ${JSON.stringify(stat)}`);
    });

  await waitFor('HAProxy to see host1 up', async () => (await status()) === 'UP', 20_000);
  const pid = (await httpRequest({ port: frontPort, path: '/' })).text;
  assert.match(pid, /^\d+$/, 'served through HAProxy');
  await waitForHaproxy('full weight for an idle pool', async () => (await weight()) === '100 (initial 100)', 10_000);
  assert.equal((await httpRequest({ port: adminPort, path: '/health/ready/Shop' })).status, 200);

  // Four requests held by a frozen worker: 6 of 10 free.
  process.kill(Number(pid), 'SIGSTOP');
  let held: Array<Promise<{ status: number }>> = [];
  try {
    held = Array.from({ length: 4 }, (_, index) => httpRequest({ port: shopPort, path: `/held/${index}`, timeoutMs: 60_000 }));
    await waitForHaproxy('the weight to follow the free capacity', async () => (await weight()) === '60 (initial 100)', 15_000);
  } finally {
    process.kill(Number(pid), 'SIGCONT');
  }
  for (const response of await Promise.all(held)) assert.equal(response.status, 200);
  await waitForHaproxy('full weight again', async () => (await weight()) === '100 (initial 100)', 10_000);

  // The administrator stops the site: maintenance (the agent names the site; the host as a whole still has Blog).
  assert.equal((await appcmd(['stop', 'site', 'Shop'], { env })).code, 0);
  await waitForHaproxy('HAProxy to put host1 in maintenance', async () => (await status()).startsWith('MAINT'), 10_000);
  assert.equal((await httpRequest({ port: frontPort, path: '/' })).status, 503, 'HAProxy has no server to send it to');
  assert.equal((await httpRequest({ port: adminPort, path: '/health/ready/Shop' })).status, 503);
  assert.equal((await httpRequest({ port: adminPort, path: '/health/ready/Blog' })).status, 200);
  assert.equal((await appcmd(['start', 'site', 'Shop'], { env })).code, 0);
  await waitForHaproxy('host1 back from maintenance', async () => (await status()) === 'UP', 10_000);
  assert.equal((await httpRequest({ port: frontPort, path: '/' })).status, 200);

  // The pool stopped: down, with the reason in HAProxy's agent status.
  assert.equal((await appcmd(['stop', 'apppool', 'Shop'], { env })).code, 0);
  // httpchk (/health/ready) and the agent both see it; the agent's word carries the reason.
  await waitForHaproxy('HAProxy to mark host1 down, the agent saying why', async () => {
    const stat = await haproxy.serverStat('shop', 'host1');
    return stat.status!.startsWith('DOWN') && /down#application_pool_'Shop'_is_/.test(stat.last_agt ?? '');
  }, 10_000);
  const ready = await httpRequest({ port: adminPort, path: '/health/ready/Shop' });
  assert.equal(ready.status, 503);
  assert.match(ready.text, /application pool 'Shop' is/);
  assert.equal((await appcmd(['start', 'apppool', 'Shop'], { env })).code, 0);
  await waitForHaproxy('host1 up again', async () => (await status()) === 'UP', 10_000);
  assert.equal((await httpRequest({ port: frontPort, path: '/' })).status, 200);
});
