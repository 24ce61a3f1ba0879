// A web farm as a user builds it: three machines (network namespaces on one bridge), one poolhost host
// on each, all reading ONE shared configuration folder through their redirection.config, and HAProxy
// (Debian's) in front with agent checks, `option httpchk` + `disable-on-404` and `retry-on` for
// idempotent requests, the configuration docs/web-farm.md gives. Four keep-alive GET loops run through
// HAProxy the whole time, and not one of their requests may fail. What a user sees:
//   - the traffic spreads over the three hosts (the application answers `<host> <pid>`);
//   - an appcmd edit on host 1 is served by all three (hosts 2 and 3 only poll, as on a network share),
//     on the same configuration generation;
//   - `poolhost drain` on host 1: HAProxy stops sending it work, it ends with no connection; undrain;
//   - SIGKILL of host 2's httpsys: HAProxy marks it down, retries what was in flight, marks it up once
//     poolhost restarted httpsys;
//   - rapid-fail protection disables the pool on host 3: the agent says `down#…`, traffic avoids it;
//   - the shared folder goes away: all keep serving; host 3 drained, stopped and started in that state
//     comes up on its cached copy and HAProxy takes it back.
// Serial: three hosts, HAProxy and a load generator load the 2-core machine on purpose.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPoolhost, type PoolhostInstance } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort, httpRequest } from '../support/http.js';
import { waitFor } from '../support/wait.js';
import { createBridgedNetwork } from '../support/network-namespace.js';
import { agentAnswerAt, startHaproxy } from '../support/haproxy.js';
import { GetLoad } from '../support/get-load.js';
import { appcmd } from '../appcmd/appcmd-process.js';
import { askWas } from '../support/runtime-client.js';

const generationOf = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 12);

/** The site's application: who served the request; `/boom` answers, then crashes its worker. */
const hostApp = (host: string) => `
const host = ${JSON.stringify(host)};
module.exports = (req, res) => {
  res.setHeader('content-type', 'text/plain');
  if (req.url === '/boom') {
    res.end('going down');
    setTimeout(() => process.exit(3), 50);
    return;
  }
  res.end(host + ' ' + process.pid);
};
`;

interface Host {
  name: string;
  address: string;
  poolhost: PoolhostInstance;
}

test('three hosts behind HAProxy on one shared configuration: spread, edit, drain, httpsys killed, rapid-fail, share gone — no request lost', async (t) => {
  // Everything made is undone in reverse order, whatever happens (one hook, so the order is ours).
  const cleanups: Array<() => unknown> = [];
  t.after(async () => {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        console.error(`cleanup failed: ${String(error)}`);
      }
    }
  });
  const register = (fn: () => unknown) => void cleanups.push(fn);

  const network = createBridgedNetwork(3);
  register(() => network.remove());
  const [sitePort, blogPort, adminPort, agentPort, frontPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
  const shared = mkdtempSync(join(tmpdir(), 'poolhost-farm-'));
  const away = `${shared}.away`;
  register(() => {
    rmSync(shared, { recursive: true, force: true });
    rmSync(away, { recursive: true, force: true });
  });
  const sharedFile = join(shared, 'applicationHost.config');
  // %SystemDrive% is each host's own folder: the application and the logs stay local, as on an IIS farm.
  writeFileSync(
    sharedFile,
    applicationHostConfig({
      pools: [{ name: 'Shop', failure: { rapidFailProtectionMaxCrashes: '2', rapidFailProtectionInterval: '00:05:00' } }],
      sites: [{ name: 'Shop', id: 1, bindings: [`*:${sitePort}:`], applications: [{ path: '/', pool: 'Shop', physicalPath: '%SystemDrive%\\www' }] }],
      // The administration address is each host's own (--metrics below); the agent port and the drain delay are the farm's.
      webManagement: { agentCheckPort: String(agentPort), drainDelay: '00:00:02' },
    }).replaceAll('{{root}}', '%SystemDrive%'),
  );

  const hosts: Host[] = await Promise.all(
    network.namespaces.map(async (namespace, index) => {
      const name = `host${index + 1}`;
      // Host 1 watches and polls; hosts 2 and 3 only poll, as hosts reading the folder over NFS would.
      const pollOnly = index > 0;
      const poolhost = await startPoolhost(
        {
          config: applicationHostConfig({ pools: [{ name: 'LocalOnly' }], sites: [] }),
          files: {
            'redirection.config': `<configuration>\n  <configurationRedirection enabled="true" path="${shared}" pollingPeriod="00:00:02" enableUncPolling="${pollOnly}" />\n</configuration>\n`,
            'www/server.js': hostApp(name),
          },
          commandPrefix: namespace.commandPrefix,
          args: ['--metrics', `${namespace.address}:${adminPort}`, '--metrics-remote'],
        },
        register,
      );
      return { name, address: namespace.address, poolhost };
    }),
  );
  const [host1, host2, host3] = hosts as [Host, Host, Host];
  const servedDirectly = async (host: Host, port = sitePort) => {
    const response = await httpRequest({ address: host.address, port, path: '/', timeoutMs: 5_000 }).catch(() => null);
    return response?.status === 200 && response.text.startsWith(`${host.name} `);
  };
  const ready = (host: Host) => httpRequest({ address: host.address, port: adminPort, path: '/health/ready/Shop', timeoutMs: 5_000 });
  await Promise.all(hosts.map((host) => waitFor(`${host.name} to serve Shop from the shared configuration`, () => servedDirectly(host), 60_000, 200)));

  const server = (host: Host) =>
    `  server ${host.name} ${host.address}:${sitePort} check port ${adminPort} inter 500ms agent-check agent-port ${agentPort} agent-inter 500ms agent-send "Shop\\n"`;
  // docs/web-farm.md gives this configuration; keep the two the same.
  const haproxy = await startHaproxy(
    `defaults
  mode http
  timeout connect 2s
  timeout client 30s
  timeout server 30s
  timeout check 2s
  retries 3
  option redispatch 1
  retry-on conn-failure empty-response response-timeout 502 503 504

frontend farm
  bind 127.0.0.1:${frontPort}
  default_backend shop

backend shop
  balance roundrobin
  option httpchk GET /health/ready/Shop
  http-check disable-on-404
  http-request disable-l7-retry unless METH_GET or METH_HEAD or METH_OPTIONS
${hosts.map(server).join('\n')}
`,
    register,
  );
  const stat = (host: Host) => haproxy.serverStat('shop', host.name);
  const sent = async (host: Host) => Number((await stat(host)).stot);
  /** waitFor on HAProxy's view of a host, saying on timeout what HAProxy and the agent said. */
  const waitForHaproxy = (host: Host, what: string, condition: (row: Record<string, string>) => boolean, timeoutMs = 15_000) => {
    let row: Record<string, string> = {};
    return waitFor(`HAProxy: ${host.name} ${what}`, async () => condition((row = await stat(host))), timeoutMs, 50).catch(async (error: Error) => {
      throw new Error(`${error.message}; status ${row.status}, check ${row.check_status} ${row.last_chk}, agent ${row.agent_status} ${row.last_agt}; the agent answers ${JSON.stringify(await agentAnswerAt(host.address, agentPort, 'Shop'))}`);
    });
  };
  for (const host of hosts) await waitForHaproxy(host, 'up', (row) => row.status === 'UP', 30_000);

  const load = new GetLoad(frontPort, 4, { accept: (status, body) => status === 200 && /^host[123] \d+$/.test(body) });
  register(() => load.stop());
  // A failure below is shown with the requests that failed and HAProxy's own log (state changes, retries).
  let passed = false;
  register(() => {
    if (passed) return;
    if (load.failures.length > 0) console.log(`failed requests:\n${load.failures.slice(0, 20).join('\n')}`);
    console.log(`haproxy's log (end):\n${haproxy.output.slice(-4000)}`);
  });

  // --- the traffic spreads over the three hosts ---------------------------------------------------
  await load.more(150);
  for (const host of hosts) assert.ok(load.served(host.name) > 0, `${host.name} served some of the load: ${JSON.stringify([...load.servedBy])}`);

  // --- an appcmd edit on host 1 is served by all three, on one generation --------------------------
  const onHost1 = { env: { POOLHOST_RUN_DIR: host1.poolhost.runDirectory } };
  for (const args of [
    ['add', 'apppool', '/name:Blog'],
    ['add', 'site', '/name:Blog', '/id:2', `/bindings:http/*:${blogPort}:`, '/physicalPath:%SystemDrive%\\www', '/applicationDefaults.applicationPool:Blog'],
  ]) {
    const added = await appcmd(args, onHost1);
    assert.equal(added.code, 0, added.stdout + added.stderr);
  }
  const edited = generationOf(readFileSync(sharedFile, 'utf8'));
  const editedAt = Date.now();
  // The polling period is 2 s; a loaded 2-core machine gets room on top, and the time taken is reported.
  await Promise.all(hosts.map((host) => waitFor(`${host.name} to serve Blog, added on host 1`, () => servedDirectly(host, blogPort), 15_000, 100)));
  t.diagnostic(`the edit made on host 1 was served by all three hosts after ${Date.now() - editedAt} ms (pollingPeriod 2 s)`);
  for (const host of hosts) {
    const answer = await ready(host);
    // On a mismatch, say what the host's was says about its configuration (source, problem).
    const state = async () => JSON.stringify((await askWas(host.poolhost.runDirectory, { type: 'GetConfigurationFile' }).catch(() => undefined))?.configuration);
    assert.equal(answer.headers['x-configuration-generation'], edited, `${host.name} runs the edited generation: ${await state()}`);
    assert.equal(answer.headers['x-configuration-source'], 'shared', `${host.name} reads the shared file: ${await state()}`);
  }

  // --- poolhost drain on host 1 under load ------------------------------------------------------------
  const drain = host1.poolhost.cli('drain', '--timeout', '30');
  // The agent's `drain` shows as DRAIN, the 404 of disable-on-404 as NOLB: either takes host1 out of the rotation.
  // The wait includes the CLI's own start (a Node process: seconds on a loaded 2-core machine).
  await waitForHaproxy(host1, 'out of the rotation', (row) => /^(DRAIN|NOLB)/.test(row.status ?? ''), 30_000);
  const sentBeforeDrain = await sent(host1);
  await load.more(150);
  assert.equal(await sent(host1), sentBeforeDrain, 'HAProxy sends a draining host no new request');
  // Counted only now: a request HAProxy sent host1 just before marking it is answered after the mark.
  const servedBeforeDrain = load.served(host1.name);
  assert.ok(load.served(host2.name) > 0 && load.served(host3.name) > 0);
  const drained = await drain;
  assert.equal(drained.code, 0, drained.stderr);
  assert.match(drained.stdout, /drained in [\d.]+ s: no client connection left/);
  assert.equal(drained.stderr, '', 'no connection was cut');
  await load.more(100);
  assert.equal(load.served(host1.name), servedBeforeDrain, 'the drained host served nothing more');
  assert.equal((await stat(host1)).scur, '0', 'HAProxy holds no request on host1');
  assert.deepEqual(load.failures, [], 'no request failed during the drain');
  const undrain = await host1.poolhost.cli('undrain');
  assert.equal(undrain.code, 0, undrain.stderr);
  await waitForHaproxy(host1, 'up again after undrain', (row) => row.status === 'UP');
  await waitFor('host1 to take traffic again', () => load.served(host1.name) > servedBeforeDrain, 15_000);

  // --- SIGKILL of host 2's httpsys under GET load -------------------------------------------------------
  const httpsys = host2.poolhost.processes().find((info) => info.role === 'httpsys');
  assert.ok(httpsys, 'host2 runs an httpsys');
  const downsBefore = Number((await stat(host2)).chkdown);
  const servedBeforeKill = load.served(host2.name);
  // poolhost holds the listening sockets (docs/listener.md): while it restarts httpsys (after 250 ms, then
  // the start) host 2's new connections wait in the kernel's backlog instead of being refused, and the
  // requests the dead httpsys held are retried elsewhere by HAProxy (retry-on). Whether HAProxy also
  // marks host 2 down depends on whether its checks fail `fall` (3) times before the restart ends: a
  // quick restart is not seen at all, a slow one is (the count is reported, not asserted).
  process.kill(httpsys.pid, 'SIGKILL');
  await waitFor('poolhost to start a new httpsys on host2', () => {
    const restarted = host2.poolhost.processes().find((info) => info.role === 'httpsys');
    return restarted !== undefined && restarted.pid !== httpsys.pid;
  }, 30_000);
  await waitFor('host2 to take traffic again', () => load.served(host2.name) > servedBeforeKill, 30_000);
  await waitForHaproxy(host2, 'up once poolhost restarted httpsys', (row) => row.status === 'UP', 30_000);
  t.diagnostic(`httpsys killed on host2: HAProxy counted ${Number((await stat(host2)).chkdown) - downsBefore} down transition(s) for it`);
  assert.deepEqual(load.failures, [], 'no idempotent request failed: HAProxy retried what the kill broke');

  // --- rapid-fail protection disables the pool on host 3 ------------------------------------------------
  for (let crash = 1; crash <= 2; crash++) {
    const boom = await httpRequest({ address: host3.address, port: sitePort, path: '/boom' });
    assert.equal(boom.status, 200);
    await host3.poolhost.waitForEvent(5009, crash, 15_000);
  }
  await host3.poolhost.waitForEvent(5002, 1, 15_000);
  await waitForHaproxy(host3, 'down, the agent saying why', (row) => row.status.startsWith('DOWN') && /down#application_pool_'Shop'_is_/.test(row.last_agt ?? ''));
  assert.match(await agentAnswerAt(host3.address, agentPort, 'Shop'), /^down#application_pool_'Shop'_is_\S+\n$/);
  const servedWhileDisabled = load.served(host3.name);
  const sentWhileDisabled = await sent(host3);
  await load.more(150);
  assert.equal(load.served(host3.name), servedWhileDisabled, 'traffic avoids the host whose pool is disabled');
  assert.equal(await sent(host3), sentWhileDisabled);
  const started = await appcmd(['start', 'apppool', '/apppool.name:Shop'], { env: { POOLHOST_RUN_DIR: host3.poolhost.runDirectory } });
  assert.equal(started.code, 0, started.stdout + started.stderr);
  await waitForHaproxy(host3, 'up again once the pool is started', (row) => row.status === 'UP');
  await waitFor('host3 to take traffic again', () => load.served(host3.name) > servedWhileDisabled, 15_000);
  assert.deepEqual(load.failures, [], 'no request failed while the pool was disabled');

  // --- the shared folder goes away ----------------------------------------------------------------------
  renameSync(shared, away);
  await Promise.all(
    hosts.map((host) => waitFor(`${host.name} to report the shared configuration unusable`, async () => (await ready(host)).headers['x-configuration-source'] === 'cached', 15_000, 100)),
  );
  const servedWithoutShare = hosts.map((host) => load.served(host.name));
  await load.more(150);
  hosts.forEach((host, index) => assert.ok(load.served(host.name) > servedWithoutShare[index]!, `${host.name} keeps serving without the share`));
  // Host 3 restarted in that state, the runbook's way (drain, stop, start): it comes up on its cached copy.
  const stopped = await host3.poolhost.cli('drain', '--delay', '1', '--timeout', '30', '--stop');
  assert.equal(stopped.code, 0, stopped.stderr);
  await host3.poolhost.waitForExit(30_000);
  await waitForHaproxy(host3, 'down while stopped', (row) => !row.status.startsWith('UP'));
  await host3.poolhost.start();
  await waitFor('host3 to serve from its cached copy', () => servedDirectly(host3), 60_000, 200);
  assert.match(host3.poolhost.stderr, /starting on the cached copy of the shared configuration \(generation [0-9a-f]{12}\)/);
  const cachedAnswer = await ready(host3);
  assert.equal(cachedAnswer.headers['x-configuration-source'], 'cached');
  assert.equal(cachedAnswer.headers['x-configuration-generation'], edited, 'the cached copy is the last shared generation');
  const servedBeforeRestart = load.served(host3.name);
  await waitForHaproxy(host3, 'up after its restart on the cached copy', (row) => row.status === 'UP', 30_000);
  await waitFor('host3 to take traffic after its restart', () => load.served(host3.name) > servedBeforeRestart, 15_000);
  renameSync(away, shared);
  await Promise.all(
    hosts.map((host) => waitFor(`${host.name} to take the shared configuration again`, async () => (await ready(host)).headers['x-configuration-source'] === 'shared', 15_000, 100)),
  );

  await load.more(100);
  await load.stop();
  assert.deepEqual(load.failures, [], 'not one request through HAProxy failed');
  t.diagnostic(`served: ${JSON.stringify(Object.fromEntries(load.servedBy))}`);
  passed = true;
});
