// A real HAProxy in front of two poolhost hosts (one machine, two ports and run directories), agent
// checks and `http-check disable-on-404` on, a steady GET load through HAProxy: `poolhost drain` on
// host1 loses no request, HAProxy stops sending host1 new work once the agent says drain (before the
// listeners close), and host1 ends with no client connection; `poolhost undrain` brings it back.
// No `retry-on` in HAProxy: nothing is retried, so a request the drain broke would be counted.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPoolhost, type PoolhostInstance } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort } from '../support/http.js';
import { pidApp } from '../support/apps.js';
import { waitFor } from '../support/wait.js';
import { haproxyFarmFrontend, startHaproxy } from '../support/haproxy.js';
import { GetLoad } from '../support/get-load.js';

interface Host {
  name: string;
  sitePort: number;
  adminPort: number;
  agentPort: number;
  poolhost: PoolhostInstance;
}

async function startHost(name: string): Promise<Host> {
  const [sitePort, adminPort, agentPort] = await Promise.all([freePort(), freePort(), freePort()]);
  const poolhost = await startPoolhost(
    {
      config: applicationHostConfig({
        pools: [{ name: 'Shop', failure: { rapidFailProtection: 'false' } }],
        sites: [{ name: 'Shop', id: 1, bindings: [`127.0.0.1:${sitePort}:`], applications: [{ path: '/', pool: 'Shop', physicalPath: '{{root}}/app' }] }],
        webManagement: { ipAddress: '127.0.0.1', port: String(adminPort), agentCheckPort: String(agentPort) },
      }),
      files: { 'app/server.js': pidApp },
      waitForPort: sitePort,
    },
    after,
  );
  return { name, sitePort, adminPort, agentPort, poolhost };
}

test('HAProxy + two hosts: poolhost drain under GET load loses nothing and moves the traffic; undrain brings it back', async () => {
  const [host1, host2] = await Promise.all([startHost('host1'), startHost('host2')]);
  const frontPort = await freePort();
  const server = (host: Host) =>
    `  server ${host.name} 127.0.0.1:${host.sitePort} check port ${host.adminPort} inter 500ms agent-check agent-port ${host.agentPort} agent-inter 500ms agent-send "Shop\\n"`;
  const haproxy = await startHaproxy(
    `${haproxyFarmFrontend(frontPort)}
backend shop
  balance roundrobin
  option httpchk GET /health/ready/Shop
  http-check disable-on-404
${server(host1)}
${server(host2)}
`,
    after,
  );
  const stat = (host: Host) => haproxy.serverStat('shop', host.name);
  /** Requests HAProxy sent to the host (stot). */
  const sent = async (host: Host) => Number((await stat(host)).stot);
  await waitFor('HAProxy to see both hosts up', async () => (await stat(host1)).status === 'UP' && (await stat(host2)).status === 'UP', 20_000);

  const load = new GetLoad(frontPort, 4);
  after(() => load.stop());
  await load.more(100);
  assert.ok((await sent(host1)) > 0 && (await sent(host2)) > 0, 'the load spreads over both hosts');

  // The delay is long enough for the agent (every 500 ms) to be heard before the listeners close.
  const drain = host1.poolhost.cli('drain', '--delay', '3', '--timeout', '30');
  // The agent's `drain` shows as DRAIN, the 404 of disable-on-404 as NOLB: either takes host1 out of the rotation.
  let seen = '';
  // The wait includes the CLI's own start (a Node process: seconds on a loaded 2-core machine).
  await waitFor('HAProxy to take host1 out of the rotation', async () => /^(DRAIN|NOLB)/.test((seen = (await stat(host1)).status ?? '')), 30_000).catch((error: Error) => {
    throw new Error(`${error.message} (status ${seen})`);
  });
  const sentBeforeDrain = await sent(host1);
  await load.more(100);
  assert.equal(await sent(host1), sentBeforeDrain, 'no new work for a draining host');

  const drained = await drain;
  assert.equal(drained.code, 0, drained.stderr);
  assert.match(drained.stdout, /drained in [\d.]+ s: no client connection left/);
  assert.equal(drained.stderr, '', 'no connection was cut');
  assert.match((await host1.poolhost.cli('status')).stdout, /running, drained/);
  await load.more(100);
  assert.equal(await sent(host1), sentBeforeDrain);
  assert.equal((await stat(host1)).scur, '0', 'HAProxy holds no request on host1');
  assert.deepEqual(load.failures, [], 'no request failed during the drain');

  const undrain = await host1.poolhost.cli('undrain');
  assert.equal(undrain.code, 0, undrain.stderr);
  await waitFor('HAProxy to see host1 up again', async () => (await stat(host1)).status === 'UP', 10_000);
  await waitFor('host1 to take traffic again', async () => (await sent(host1)) > sentBeforeDrain, 15_000);
  await load.more(100);
  await load.stop();
  assert.deepEqual(load.failures, [], 'no request failed');
});
