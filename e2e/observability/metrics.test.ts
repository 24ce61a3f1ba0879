// poolhost start --metrics: /metrics read with a real Prometheus parser while real traffic, a frozen
// worker, a full queue, a SIGKILL and a recycle move the counters; the windows_exporter names checked
// against the list below; actions refused without the token.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPoolhost } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort, httpRequest } from '../support/http.js';
import { pidApp } from '../support/apps.js';
import { waitFor } from '../support/wait.js';
import { parseMetrics, sampleValue, type MetricFamilyText } from '../support/prometheus-text.js';

/** windows_exporter's iis collector: name -> [type, label names], as Grafana's IIS dashboards query them. */
const windowsExporterNames: Record<string, [MetricFamilyText['type'], string[]]> = {
  windows_iis_info: ['GAUGE', ['version']],
  windows_iis_current_connections: ['GAUGE', ['site']],
  windows_iis_service_uptime: ['GAUGE', ['site']],
  windows_iis_received_bytes_total: ['COUNTER', ['site']],
  windows_iis_sent_bytes_total: ['COUNTER', ['site']],
  windows_iis_connection_attempts_all_instances_total: ['COUNTER', ['site']],
  windows_iis_requests_total: ['COUNTER', ['site', 'method']],
  windows_iis_locked_errors_total: ['COUNTER', ['site']],
  windows_iis_not_found_errors_total: ['COUNTER', ['site']],
  windows_iis_http_requests_current_queue_size: ['GAUGE', ['site']],
  windows_iis_http_request_total_rejected_request: ['GAUGE', ['site']],
  windows_iis_http_requests_max_queue_item_age: ['GAUGE', ['site']],
  windows_iis_http_requests_arrival_rate: ['GAUGE', ['site']],
  windows_iis_current_application_pool_state: ['GAUGE', ['app', 'state']],
  windows_iis_current_application_pool_start_time: ['GAUGE', ['app']],
  windows_iis_current_worker_processes: ['GAUGE', ['app']],
  windows_iis_maximum_worker_processes: ['GAUGE', ['app']],
  windows_iis_recent_worker_process_failures: ['GAUGE', ['app']],
  windows_iis_time_since_last_worker_process_failure: ['GAUGE', ['app']],
  windows_iis_total_application_pool_recycles: ['COUNTER', ['app']],
  windows_iis_total_application_pool_start_time: ['COUNTER', ['app']],
  windows_iis_total_worker_processes_created: ['COUNTER', ['app']],
  windows_iis_total_worker_process_failures: ['COUNTER', ['app']],
  windows_iis_total_worker_process_ping_failures: ['COUNTER', ['app']],
  windows_iis_total_worker_process_shutdown_failures: ['COUNTER', ['app']],
  windows_iis_total_worker_process_startup_failures: ['COUNTER', ['app']],
  windows_iis_worker_current_requests: ['COUNTER', ['app', 'pid']],
  windows_iis_worker_requests_total: ['COUNTER', ['app', 'pid']],
  windows_iis_worker_request_errors_total: ['COUNTER', ['app', 'pid', 'status_code']],
  windows_iis_worker_current_websocket_requests: ['COUNTER', ['app', 'pid']],
  windows_iis_worker_websocket_connection_attempts_total: ['COUNTER', ['app', 'pid']],
  windows_iis_worker_websocket_connection_accepted_total: ['COUNTER', ['app', 'pid']],
  windows_iis_worker_websocket_connection_rejected_total: ['COUNTER', ['app', 'pid']],
  windows_iis_worker_file_cache_memory_bytes: ['GAUGE', ['app', 'pid']],
  windows_iis_worker_file_cache_max_memory_bytes: ['COUNTER', ['app', 'pid']],
  windows_iis_worker_file_cache_flushes_total: ['COUNTER', ['app', 'pid']],
  windows_iis_worker_file_cache_queries_total: ['COUNTER', ['app', 'pid']],
  windows_iis_worker_file_cache_hits_total: ['COUNTER', ['app', 'pid']],
  windows_iis_worker_file_cache_items: ['GAUGE', ['app', 'pid']],
  windows_iis_worker_file_cache_items_total: ['COUNTER', ['app', 'pid']],
  windows_iis_worker_file_cache_items_flushed_total: ['COUNTER', ['app', 'pid']],
  windows_iis_server_file_cache_memory_bytes: ['GAUGE', []],
  windows_iis_server_file_cache_max_memory_bytes: ['COUNTER', []],
  windows_iis_server_file_cache_flushes_total: ['COUNTER', []],
  windows_iis_server_file_cache_queries_total: ['COUNTER', []],
  windows_iis_server_file_cache_hits_total: ['COUNTER', []],
  windows_iis_server_file_cache_items: ['GAUGE', []],
  windows_iis_server_file_cache_items_total: ['COUNTER', []],
  windows_iis_server_file_cache_items_flushed_total: ['COUNTER', []],
};

test('/metrics: windows_exporter iis names, and counters that move with requests, a full queue, a crash and a recycle', async () => {
  const port = await freePort();
  const metricsPort = await freePort();
  const poolhost = await startPoolhost(
    {
      config: applicationHostConfig({
        pools: [{ name: 'Metered', attributes: { queueLength: '10' }, failure: { rapidFailProtection: 'false' } }],
        sites: [{ name: 'Gauged', id: 5, bindings: [`127.0.0.1:${port}:`], applications: [{ path: '/', pool: 'Metered', physicalPath: '{{root}}/app' }] }],
      }),
      files: { 'app/server.js': pidApp },
      // One request at a time per worker, so a frozen worker leaves the rest waiting in the queue.
      env: { POOLHOST_WORKER_CAPACITY: '1' },
      args: ['--metrics', `127.0.0.1:${metricsPort}`],
      waitForPort: port,
    },
    after,
  );
  const scrape = async () => {
    const response = await httpRequest({ port: metricsPort, path: '/metrics' });
    assert.equal(response.status, 200);
    assert.match(String(response.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    return { families: parseMetrics(response.text), text: response.text };
  };
  await waitFor('inetmgr to answer /metrics', async () => (await httpRequest({ port: metricsPort, path: '/metrics' }).catch(() => null))?.status === 200, 20_000);
  const token = /administration token (\S+)/.exec(await waitForStdout(poolhost, /administration token \S+/))![1]!;

  // Requests by verb.
  for (const method of ['GET', 'GET', 'GET', 'POST', 'HEAD', 'PATCH']) {
    const response = await httpRequest({ port, path: '/', method, ...(method === 'POST' || method === 'PATCH' ? { body: 'x' } : {}) });
    assert.equal(response.status, 200, `${method} /`);
  }
  let { families, text } = await scrape();
  for (const [name, [type, labels]] of Object.entries(windowsExporterNames)) {
    const family = families.get(name);
    assert.ok(family, `${name} is exported`);
    assert.equal(family.type, type, `${name} is a ${type.toLowerCase()}`);
    assert.ok(family.metrics.length > 0, `${name} has samples`);
    for (const sample of family.metrics) assert.deepEqual(Object.keys(sample.labels ?? {}).sort(), [...labels].sort(), `${name} labels`);
  }
  const requests = (method: string) => sampleValue(families, 'windows_iis_requests_total', { site: 'Gauged', method });
  assert.equal(requests('GET'), 3);
  assert.equal(requests('POST'), 1);
  assert.equal(requests('HEAD'), 1);
  assert.equal(requests('other'), 1, 'PATCH counts as other');
  assert.equal(requests('PUT'), 0);
  // HTTP Service Url Groups: the site's URL group, counted by httpsys (windows_exporter performancecounter names).
  const urlGroup = (counter: string) => sampleValue(families, `windows_performancecounter_http_service_url_groups_${counter}`, { site: 'Gauged' });
  assert.equal(families.get('windows_performancecounter_http_service_url_groups_allrequests')?.type, 'COUNTER');
  assert.equal(families.get('windows_performancecounter_http_service_url_groups_currentconnections')?.type, 'GAUGE');
  assert.equal(urlGroup('getrequests'), 3);
  assert.equal(urlGroup('headrequests'), 1);
  assert.equal(urlGroup('allrequests'), 6);
  assert.ok(urlGroup('bytesreceivedrate')! > 0 && urlGroup('bytessentrate')! > 0);
  assert.equal(urlGroup('bytestransferredrate'), urlGroup('bytessentrate')! + urlGroup('bytesreceivedrate')!);
  assert.equal(urlGroup('connectionattempts'), sampleValue(families, 'windows_iis_connection_attempts_all_instances_total', { site: 'Gauged' }));
  assert.ok(urlGroup('maxconnections')! >= 1);
  assert.equal(sampleValue(families, 'windows_iis_current_application_pool_state', { app: 'Metered', state: 'Running' }), 1);
  assert.equal(sampleValue(families, 'windows_iis_current_application_pool_state', { app: 'Metered', state: 'Disabled' }), 0);
  assert.equal(sampleValue(families, 'windows_iis_http_requests_arrival_rate', { site: 'Metered' }), 6, 'the queue instance is named after the pool');
  const firstPid = (await httpRequest({ port, path: '/' })).text;
  ({ families } = await scrape());
  assert.equal(sampleValue(families, 'windows_iis_worker_requests_total', { app: 'Metered', pid: firstPid }), 7);
  assert.equal(families.get('poolhost_request_queue_wait_seconds')?.type, 'HISTOGRAM');
  assert.match(text, /^poolhost_request_queue_wait_seconds_count\{app="Metered"\} 6$/m);

  // A frozen worker: one request on it, ten waiting in the queue (queueLength 10, IIS's minimum), the twelfth turned away with QueueFull.
  process.kill(Number(firstPid), 'SIGSTOP');
  let pending: Array<Promise<{ status: number }>> = [];
  try {
    pending = Array.from({ length: 11 }, (_, index) => httpRequest({ port, path: `/frozen/${index}`, timeoutMs: 30_000 }));
    await waitFor('ten requests waiting in the queue', async () => {
      ({ families } = await scrape());
      return sampleValue(families, 'windows_iis_http_requests_current_queue_size', { site: 'Metered' }) === 10;
    }, 15_000);
    // Its age grows while it waits (a scrape in the same millisecond as the last arrival may still read 0).
    await waitFor('the oldest waiting request to have an age', async () => {
      ({ families } = await scrape());
      return sampleValue(families, 'windows_iis_http_requests_max_queue_item_age', { site: 'Metered' })! > 0;
    }, 10_000);
    assert.equal(sampleValue(families, 'windows_iis_http_requests_current_queue_size', { site: 'Metered' }), 10, 'still ten waiting');
    assert.equal((await httpRequest({ port, path: '/turned-away' })).status, 503);
  } finally {
    process.kill(Number(firstPid), 'SIGCONT');
  }
  for (const response of await Promise.all(pending)) assert.equal(response.status, 200);
  ({ families } = await scrape());
  assert.equal(sampleValue(families, 'windows_iis_http_requests_current_queue_size', { site: 'Metered' }), 0);
  assert.equal(sampleValue(families, 'windows_iis_http_request_total_rejected_request', { site: 'Metered' }), 1);
  assert.equal(sampleValue(families, 'windows_iis_http_requests_arrival_rate', { site: 'Metered' }), 19, 'seven before, eleven while frozen, the one turned away counted once');
  assert.equal(sampleValue(families, 'poolhost_request_queue_rejections_total', { app: 'Metered', reason: 'QueueFull' }), 1);
  assert.equal(sampleValue(families, 'poolhost_httperr_total', { reason: 'QueueFull' }), 1);

  // A SIGKILLed worker is a worker process failure.
  process.kill(Number(firstPid), 'SIGKILL');
  await waitFor('the crash to be counted', async () => {
    ({ families } = await scrape());
    return sampleValue(families, 'windows_iis_total_worker_process_failures', { app: 'Metered' }) === 1;
  }, 15_000);
  assert.equal(sampleValue(families, 'poolhost_worker_process_exits_total', { app: 'Metered', reason: 'crash' }), 1);
  assert.equal(sampleValue(families, 'windows_iis_recent_worker_process_failures', { app: 'Metered' }), 0, 'rapid-fail protection is off');
  assert.equal(sampleValue(families, 'windows_iis_worker_requests_total', { app: 'Metered', pid: firstPid }), undefined, 'the dead worker is gone');

  // A recycle through the status API: refused without the token, done with it.
  const secondPid = (await httpRequest({ port, path: '/' })).text;
  assert.notEqual(secondPid, firstPid);
  const recycle = (headers: Record<string, string>) =>
    httpRequest({ port: metricsPort, path: '/api/webserver/application-pools/Metered/recycle', method: 'POST', headers });
  assert.equal((await recycle({})).status, 401);
  assert.equal((await recycle({ 'Access-Token': 'Bearer not-the-token' })).status, 401);
  assert.equal((await recycle({ 'Access-Token': `Bearer ${token}`, Origin: 'http://evil.example' })).status, 403);
  assert.equal((await httpRequest({ port: metricsPort, path: '/metrics', host: 'rebound.example' })).status, 403, 'a foreign Host header is refused');
  ({ families } = await scrape());
  assert.equal(sampleValue(families, 'windows_iis_total_application_pool_recycles', { app: 'Metered' }), 0, 'refused actions did nothing');
  const accepted = await recycle({ 'Access-Token': `Bearer ${token}` });
  assert.equal(accepted.status, 200, accepted.text);
  await waitFor('the recycle to be counted', async () => {
    ({ families } = await scrape());
    return sampleValue(families, 'windows_iis_total_application_pool_recycles', { app: 'Metered' }) === 1;
  });
  assert.equal(sampleValue(families, 'poolhost_application_pool_recycles_total', { app: 'Metered', reason: 'OnDemand' }), 1);
  // inetmgr's lines reach the log through its pipe and poolhost's, independently of its HTTP answers.
  await waitFor('the administration action to be logged', () => poolhost.logLines.some((line) => line.service === 'inetmgr' && /administration action POST \/api\/webserver\/application-pools\/Metered\/recycle from 127\.0\.0\.1/.test(String(line.msg))));
  await waitFor('the refusal to be logged', () => poolhost.logLines.some((line) => line.service === 'inetmgr' && /refused: no valid access token/.test(String(line.msg))));

  const status = await poolhost.cli('status');
  assert.equal(status.code, 0);
  assert.match(status.stdout, new RegExp(`dashboard: +http://127\\.0\\.0\\.1:${metricsPort}/ \\(metrics at http://127\\.0\\.0\\.1:${metricsPort}/metrics\\)`));
  assert.match(status.stdout, /^inetmgr +\d+ +Running/m);
});

async function waitForStdout(poolhost: { stdoutText(): string }, pattern: RegExp): Promise<string> {
  await waitFor(`poolhost to print ${pattern}`, () => pattern.test(poolhost.stdoutText()));
  return poolhost.stdoutText();
}
