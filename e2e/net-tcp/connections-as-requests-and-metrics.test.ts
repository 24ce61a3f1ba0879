// net.tcp connections in the runtime views: `appcmd list requests` shows each open connection as a request
// with its age (as IIS shows executing requests), `appcmd list wp` the worker that serves them, and
// /metrics (poolhost start --metrics) counts current and total connections per site and pool and the
// refused ones by reason. Real TCP clients, the real appcmd and the real metrics endpoint.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, httpRequest } from '../support/http.js';
import { waitFor } from '../support/wait.js';
import { parseMetrics, sampleValue } from '../support/prometheus-text.js';
import { appcmd } from '../appcmd/appcmd-process.js';
import { tcpConnect, tcpRefusal } from './support/tcp-client.js';
import { startLinePool } from './support/net-tcp-instance.js';

test('appcmd list requests shows open net.tcp connections with their age, list wp their worker, /metrics counts them and the refused ones', async () => {
  const [port, metricsPort] = [await freePort(), await freePort()];
  const poolhost = await startLinePool(port, after, { args: ['--metrics', `127.0.0.1:${metricsPort}`] });
  const env = { POOLHOST_RUN_DIR: poolhost.runDirectory, POOLHOST_CONFIG: poolhost.configFile };
  const metrics = async () => parseMetrics((await httpRequest({ port: metricsPort, path: '/metrics' })).text);
  await waitFor('inetmgr to answer /metrics', async () => (await httpRequest({ port: metricsPort, path: '/metrics' }).catch(() => null))?.status === 200, 20_000);

  const first = await tcpConnect(port);
  first.write('PID\n');
  const pid = Number(await first.line());
  // The first connection is at least 400 ms old once the second arrives.
  await sleep(400);
  const second = await tcpConnect(port);
  second.write('PID\n');
  assert.equal(Number(await second.line()), pid);

  const listed = await appcmd(['list', 'requests'], { env });
  assert.equal(listed.code, 0, listed.stderr);
  const requests = listed.stdout
    .trim()
    .split('\n')
    .map((line) => /^REQUEST "([0-9a-f]+)" \(url:net\.tcp (\S+), time:(\d+) msec, client:(\S+), stage:(\w+), module:(\w+)\)$/.exec(line));
  assert.equal(requests.length, 2, listed.stdout);
  assert.ok(requests.every((match) => match !== null), listed.stdout);
  const [older, newer] = requests.map((match) => ({ id: match![1]!, url: match![2]!, time: Number(match![3]), client: match![4]! })).sort((a, b) => b.time - a.time);
  assert.deepEqual([older!.url, newer!.url], [`net.tcp://127.0.0.1:${port}/`, `net.tcp://127.0.0.1:${port}/`]);
  assert.deepEqual([older!.client, newer!.client], ['127.0.0.1', '127.0.0.1']);
  assert.ok(older!.time >= 400, `the first connection's age counts from when it arrived (${older!.time} ms)`);
  assert.notEqual(older!.id, newer!.id);

  // Filters and properties as for HTTP requests: the worker, the pool, the site and the application.
  const detailed = await appcmd(['list', 'request', older!.id, '/text:*'], { env });
  assert.equal(detailed.code, 0, detailed.stderr);
  for (const property of [`WP.NAME: ${pid}\n`, 'APPPOOL.NAME: LinePool\n', 'SITE.ID: 1\n', 'APP.NAME: Lines/\n', 'verb: net.tcp\n']) {
    assert.ok(detailed.stdout.includes(property), `${property} in\n${detailed.stdout}`);
  }
  assert.equal((await appcmd(['list', 'requests', '/apppool.name:LinePool'], { env })).stdout.trim().split('\n').length, 2);

  const workers = await appcmd(['list', 'wp'], { env });
  assert.equal(workers.stdout, `WP "${pid}" (applicationPool:LinePool)\n`);
  const workerDetail = await appcmd(['list', 'wp', String(pid), '/text:requestsInFlight'], { env });
  assert.equal(workerDetail.stdout.trim(), '2', 'the open connections are its requests in flight');

  // /metrics: current and total connections per site and per pool.
  let families = await metrics();
  assert.equal(sampleValue(families, 'poolhost_net_tcp_current_connections', { site: 'Lines', app: 'LinePool' }), 2);
  assert.equal(sampleValue(families, 'poolhost_net_tcp_connections_total', { site: 'Lines', app: 'LinePool' }), 2);
  assert.equal(sampleValue(families, 'poolhost_net_tcp_pool_current_connections', { app: 'LinePool' }), 2);
  assert.equal(sampleValue(families, 'poolhost_net_tcp_queued_connections', { app: 'LinePool' }), 0);
  assert.equal(sampleValue(families, 'poolhost_net_tcp_connections_refused_total', { app: 'LinePool', reason: 'AppOffline' }), 0);

  second.write('QUIT\n');
  assert.equal(await second.line(), 'BYE');
  await second.closed;
  await waitFor('one connection left in /metrics', async () => sampleValue(await metrics(), 'poolhost_net_tcp_current_connections', { site: 'Lines', app: 'LinePool' }) === 1, 10_000);
  await waitFor('one request left in list requests', async () => (await appcmd(['list', 'requests'], { env })).stdout.trim().split('\n').length === 1, 10_000);
  first.write('QUIT\n');
  await first.closed;
  await waitFor('no connection left in /metrics', async () => sampleValue(await metrics(), 'poolhost_net_tcp_current_connections', { site: 'Lines', app: 'LinePool' }) === 0, 10_000);

  // A stopped pool resets new connections: counted as AppOffline.
  assert.equal((await appcmd(['stop', 'apppool', '/apppool.name:LinePool'], { env })).code, 0);
  await waitFor('LinePool to have no worker', () => poolhost.workers('LinePool').length === 0, 15_000);
  assert.equal(await tcpRefusal(port), 'ECONNRESET');
  families = await metrics();
  assert.equal(sampleValue(families, 'poolhost_net_tcp_connections_refused_total', { app: 'LinePool', reason: 'AppOffline' }), 1);
  assert.equal(sampleValue(families, 'poolhost_net_tcp_connections_refused_total', { app: 'LinePool', reason: 'QueueFull' }), 0);
  assert.equal(sampleValue(families, 'poolhost_net_tcp_connections_total', { site: 'Lines', app: 'LinePool' }), 3, 'a refused connection is counted too');
  assert.equal((await appcmd(['list', 'requests'], { env })).stdout, '');
});
