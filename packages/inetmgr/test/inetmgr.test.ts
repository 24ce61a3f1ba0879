// inetmgr built from its factory with a fake ServiceQuery: what /metrics prints for given counters,
// and how the status API guards its actions.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { pino } from 'pino';
import { createWorkerRequestCounters, type ApplicationPoolCounters, type ControlMessage, type ListenerCounters, type UrlGroupCounterSet, type WebServiceCounterSet } from '@poolhost/protocol';
import { createInetmgr } from '../src/index.js';

const site: WebServiceCounterSet = {
  siteId: 1,
  siteName: 'Default Web Site',
  currentConnections: 2,
  maximumConnections: 5,
  totalConnectionAttempts: 9,
  totalBytesSent: 1234,
  totalBytesReceived: 567,
  requestsByVerb: { GET: 7, HEAD: 0, POST: 2, PUT: 0, DELETE: 0, OPTIONS: 0, TRACE: 0, COPY: 0, MOVE: 0, MKCOL: 0, PROPFIND: 0, PROPPATCH: 0, SEARCH: 0, LOCK: 0, UNLOCK: 0, other: 1 },
  notFoundErrors: 3,
  lockedErrors: 0,
  listenerErrors: 1,
};
const urlGroup: UrlGroupCounterSet = {
  siteId: 1,
  siteName: 'Default Web Site',
  bytesSent: 1234,
  bytesReceived: 567,
  bytesTransferred: 1801,
  currentConnections: 2,
  maxConnections: 5,
  connectionAttempts: 9,
  getRequests: 7,
  headRequests: 0,
  allRequests: 10,
};
const listener: ListenerCounters = {
  type: 'ListenerCounters',
  startedAt: new Date(Date.now() - 60_000).toISOString(),
  requestQueues: [
    {
      applicationPool: 'DefaultAppPool',
      enabled: true,
      currentQueueSize: 4,
      maxQueueItemAgeMs: 250,
      arrivals: 10,
      rejectedRequests: 1,
      rejectedByReason: { QueueFull: 1 },
      retried: 0,
      expired: 0,
      attachedWorkers: 1,
      requestsInFlight: 1,
      workerCapacity: 100,
      queueLength: 1000,
      maxProcesses: 1,
      queueWaitBuckets: [5, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0],
      queueWaitSumMs: 200,
    },
  ],
  sites: [site],
  urlGroups: [urlGroup],
  httpErr: { QueueFull: 1 },
  tlsHandshakesInProgress: 2,
  tlsHandshakeFailures: { NoCertificate: 3, HttpRequest: 1 },
  tlsHandshakes: [
    { outcome: 'full', version: 'TLSv1.3', alpn: 'h2', count: 4 },
    { outcome: 'resumed', version: 'TLSv1.2', alpn: 'none', count: 2 },
  ],
};
const pools: ApplicationPoolCounters = {
  type: 'ApplicationPoolCounters',
  startedAt: '2026-01-01T00:00:00.000Z',
  applicationPools: [
    {
      applicationPool: 'DefaultAppPool',
      state: 'Running',
      startedAt: '2026-01-01T00:00:10.000Z',
      currentWorkerProcesses: 1,
      maximumWorkerProcesses: 2,
      recentWorkerProcessFailures: 1,
      lastWorkerProcessFailureAt: new Date(Date.now() - 30_000).toISOString(),
      totalApplicationPoolRecycles: 1,
      totalWorkerProcessesCreated: 3,
      totalWorkerProcessFailures: 1,
      totalWorkerProcessPingFailures: 0,
      totalWorkerProcessShutdownFailures: 0,
      totalWorkerProcessStartupFailures: 0,
      recyclesByReason: { OnDemand: 1 },
      workerExitsByReason: { crash: 1, recycle: 1 },
    },
  ],
  workers: [
    {
      pid: 4242,
      applicationPool: 'DefaultAppPool',
      state: 'Running',
      startedAt: '2026-01-01T00:00:20.000Z',
      activeRequests: 1,
      totalRequestsServed: 8,
      errors401: 0,
      errors403: 0,
      errors404: 3,
      errors500: 0,
      websocketActiveRequests: 0,
      websocketConnectionAttempts: 0,
      websocketConnectionsAccepted: 0,
      websocketConnectionsRejected: 0,
      eventLoopDelayP99Ms: 12,
      eventLoopDelayMaxMs: 40,
      heapUsedBytes: 9_000_000,
      fileCache: { hits: 5, misses: 2, flushes: 1, currentFiles: 1, totalFiles: 2, flushedFiles: 1, currentBytes: 4096, maximumBytes: 8192 },
    },
    {
      // Just started: its event loop is not sampled yet and was has not asked it for its heap (null), as a
      // worker's counters are before anything is counted.
      pid: 4343,
      applicationPool: 'DefaultAppPool',
      state: 'Running',
      startedAt: '2026-01-01T00:00:50.000Z',
      activeRequests: 0,
      totalRequestsServed: 0,
      ...createWorkerRequestCounters(),
    },
  ],
  spareWorkers: { configured: 2, waiting: 1, totalAssigned: 5 },
};

const asked: ControlMessage[] = [];
const inetmgr = createInetmgr({
  runDirectory: '/nonexistent',
  address: { host: '127.0.0.1', port: 0 },
  token: 'secret-token',
  logger: pino({ level: 'silent' }),
  query: {
    async ask<R extends ControlMessage>(service: string, message: ControlMessage): Promise<R> {
      asked.push(message);
      if (message.type === 'GetListenerCounters') return listener as unknown as R;
      if (message.type === 'GetApplicationPoolCounters') return pools as unknown as R;
      if (message.type === 'ListSites') return { type: 'SiteList', sites: [{ id: 1, name: 'Default Web Site', state: 'Started', applicationPools: ['DefaultAppPool'] }] } as unknown as R;
      if (message.type === 'ListApplicationPools') return { type: 'ApplicationPoolList', applicationPools: [{ name: 'DefaultAppPool', state: 'Started', workers: 1 }] } as unknown as R;
      if (message.type === 'ListRequests') {
        const requests = [{ requestId: 'r1', siteId: 1, verb: 'GET', url: '/slow', clientIp: '127.0.0.1', stage: 'ExecuteRequestHandler', module: 'iisnode', elapsedMs: 1500, pid: 4242, applicationPool: 'DefaultAppPool' }];
        return { type: 'RequestList', requests } as unknown as R;
      }
      if (message.type === 'GetEventJournal') return { type: 'EventJournal', events: [], workerHistory: [] } as unknown as R;
      if (message.type === 'RecycleApplicationPool') return { type: 'Acknowledged', detail: `"${message.name}" successfully recycled` } as unknown as R;
      throw new Error(`${service} was not expected to get ${message.type}`);
    },
  },
});
await inetmgr.start();
after(() => inetmgr.stop());

function call(method: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: inetmgr.address.port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('/metrics prints the windows_exporter iis family from the services counters', async () => {
  const { status, headers, text } = await call('GET', '/metrics');
  assert.equal(status, 200);
  assert.match(String(headers['content-type']), /^text\/plain; version=0\.0\.4/);
  for (const line of [
    'windows_iis_info{version="10.0"} 1',
    '# TYPE windows_iis_requests_total counter',
    'windows_iis_requests_total{site="Default Web Site",method="GET"} 7',
    'windows_iis_requests_total{site="Default Web Site",method="other"} 1',
    'windows_iis_not_found_errors_total{site="Default Web Site"} 3',
    'windows_iis_sent_bytes_total{site="Default Web Site"} 1234',
    '# TYPE windows_iis_http_request_total_rejected_request gauge',
    'windows_iis_http_requests_current_queue_size{site="DefaultAppPool"} 4',
    'windows_iis_http_requests_max_queue_item_age{site="DefaultAppPool"} 250',
    'windows_iis_http_requests_arrival_rate{site="DefaultAppPool"} 10',
    'windows_iis_current_application_pool_state{app="DefaultAppPool",state="Running"} 1',
    'windows_iis_current_application_pool_state{app="DefaultAppPool",state="Disabled"} 0',
    'windows_iis_current_application_pool_state{app="DefaultAppPool",state="Shutdown Pending"} 0',
    `windows_iis_current_application_pool_start_time{app="DefaultAppPool"} ${Date.parse('2026-01-01T00:00:10.000Z') / 1000}`,
    `windows_iis_total_application_pool_start_time{app="DefaultAppPool"} ${Date.parse('2026-01-01T00:00:00.000Z') / 1000}`,
    '# TYPE windows_iis_worker_current_requests counter',
    'windows_iis_worker_current_requests{app="DefaultAppPool",pid="4242"} 1',
    'windows_iis_worker_request_errors_total{app="DefaultAppPool",pid="4242",status_code="404"} 3',
    '# TYPE windows_iis_worker_file_cache_memory_bytes gauge',
    'windows_iis_worker_file_cache_memory_bytes{app="DefaultAppPool",pid="4242"} 4096',
    '# TYPE windows_iis_worker_file_cache_max_memory_bytes counter',
    'windows_iis_worker_file_cache_max_memory_bytes{app="DefaultAppPool",pid="4242"} 8192',
    'windows_iis_worker_file_cache_flushes_total{app="DefaultAppPool",pid="4242"} 1',
    'windows_iis_worker_file_cache_queries_total{app="DefaultAppPool",pid="4242"} 7',
    'windows_iis_worker_file_cache_hits_total{app="DefaultAppPool",pid="4242"} 5',
    '# TYPE windows_iis_worker_file_cache_items gauge',
    'windows_iis_worker_file_cache_items{app="DefaultAppPool",pid="4242"} 1',
    'windows_iis_worker_file_cache_items_total{app="DefaultAppPool",pid="4242"} 2',
    'windows_iis_worker_file_cache_items_flushed_total{app="DefaultAppPool",pid="4242"} 1',
    '# TYPE windows_iis_server_file_cache_memory_bytes gauge',
    'windows_iis_server_file_cache_memory_bytes 4096',
    '# TYPE windows_iis_server_file_cache_max_memory_bytes counter',
    'windows_iis_server_file_cache_max_memory_bytes 8192',
    'windows_iis_server_file_cache_flushes_total 1',
    '# TYPE windows_iis_server_file_cache_queries_total counter',
    'windows_iis_server_file_cache_queries_total 7',
    'windows_iis_server_file_cache_hits_total 5',
    'windows_iis_server_file_cache_items 1',
    'windows_iis_server_file_cache_items_total 2',
    'windows_iis_server_file_cache_items_flushed_total 1',
    '# TYPE windows_performancecounter_http_service_url_groups_bytessentrate counter',
    'windows_performancecounter_http_service_url_groups_bytessentrate{site="Default Web Site"} 1234',
    'windows_performancecounter_http_service_url_groups_bytesreceivedrate{site="Default Web Site"} 567',
    'windows_performancecounter_http_service_url_groups_bytestransferredrate{site="Default Web Site"} 1801',
    '# TYPE windows_performancecounter_http_service_url_groups_currentconnections gauge',
    'windows_performancecounter_http_service_url_groups_currentconnections{site="Default Web Site"} 2',
    '# TYPE windows_performancecounter_http_service_url_groups_maxconnections gauge',
    'windows_performancecounter_http_service_url_groups_maxconnections{site="Default Web Site"} 5',
    'windows_performancecounter_http_service_url_groups_connectionattempts{site="Default Web Site"} 9',
    'windows_performancecounter_http_service_url_groups_getrequests{site="Default Web Site"} 7',
    'windows_performancecounter_http_service_url_groups_headrequests{site="Default Web Site"} 0',
    '# TYPE windows_performancecounter_http_service_url_groups_allrequests counter',
    'windows_performancecounter_http_service_url_groups_allrequests{site="Default Web Site"} 10',
    'poolhost_request_queue_rejections_total{app="DefaultAppPool",reason="QueueFull"} 1',
    'poolhost_request_queue_wait_seconds_bucket{app="DefaultAppPool",le="0.001"} 5',
    'poolhost_request_queue_wait_seconds_bucket{app="DefaultAppPool",le="0.1"} 5',
    'poolhost_request_queue_wait_seconds_bucket{app="DefaultAppPool",le="0.25"} 6',
    'poolhost_request_queue_wait_seconds_bucket{app="DefaultAppPool",le="+Inf"} 6',
    'poolhost_request_queue_wait_seconds_sum{app="DefaultAppPool"} 0.2',
    'poolhost_request_queue_wait_seconds_count{app="DefaultAppPool"} 6',
    'poolhost_application_pool_recycles_total{app="DefaultAppPool",reason="OnDemand"} 1',
    'poolhost_worker_process_exits_total{app="DefaultAppPool",reason="crash"} 1',
    'poolhost_worker_event_loop_delay_p99_seconds{app="DefaultAppPool",pid="4242"} 0.012',
    'poolhost_worker_event_loop_delay_max_seconds{app="DefaultAppPool",pid="4242"} 0.04',
    'poolhost_worker_heap_used_bytes{app="DefaultAppPool",pid="4242"} 9000000',
    'poolhost_spare_workers{state="configured"} 2',
    'poolhost_spare_workers{state="waiting"} 1',
    'poolhost_spare_workers_assigned_total 5',
    'poolhost_tls_handshakes_in_progress 2',
    'poolhost_tls_handshake_failures_total{reason="NoCertificate"} 3',
    'poolhost_tls_handshake_failures_total{reason="HttpRequest"} 1',
    '# TYPE poolhost_tls_handshakes_total counter',
    'poolhost_tls_handshakes_total{outcome="full",version="TLSv1.3",alpn="h2"} 4',
    'poolhost_tls_handshakes_total{outcome="resumed",version="TLSv1.2",alpn="none"} 2',
  ]) {
    assert.ok(text.split('\n').includes(line), `missing: ${line}`);
  }
  // Not measured yet is no sample, never a delay or a heap of 0.
  assert.equal(text.includes('requests_in_flight{app="DefaultAppPool",pid="4343"} 0'), true);
  assert.doesNotMatch(text, /poolhost_worker_(event_loop_delay_p99_seconds|event_loop_delay_max_seconds|heap_used_bytes)\{[^}]*pid="4343"/);
  const sinceFailure = /^windows_iis_time_since_last_worker_process_failure\{app="DefaultAppPool"\} (\d+)$/m.exec(text);
  assert.ok(sinceFailure && Number(sinceFailure[1]) >= 29 && Number(sinceFailure[1]) <= 120);
});

test('actions need the token; no CORS; only loopback host names are answered', async () => {
  const before = asked.filter((message) => message.type === 'RecycleApplicationPool').length;
  assert.equal((await call('POST', '/api/webserver/application-pools/DefaultAppPool/recycle')).status, 401);
  assert.equal((await call('POST', '/api/webserver/application-pools/DefaultAppPool/recycle', { Authorization: 'Bearer wrong' })).status, 401);
  assert.equal((await call('POST', '/api/webserver/application-pools/DefaultAppPool/recycle', { 'Access-Token': 'Bearer secret-token', Origin: 'http://evil.example' })).status, 403);
  assert.equal(asked.filter((message) => message.type === 'RecycleApplicationPool').length, before, 'nothing reached was');
  const done = await call('POST', '/api/webserver/application-pools/DefaultAppPool/recycle', { 'Access-Token': 'Bearer secret-token' });
  assert.equal(done.status, 200);
  assert.deepEqual(JSON.parse(done.text), { result: '"DefaultAppPool" successfully recycled' });
  assert.deepEqual(asked.at(-1), { type: 'RecycleApplicationPool', name: 'DefaultAppPool' });

  const preflight = await call('OPTIONS', '/api/webserver/application-pools/DefaultAppPool/recycle', { Origin: 'http://evil.example', 'Access-Control-Request-Method': 'POST' });
  assert.notEqual(preflight.status, 200);
  assert.equal(preflight.headers['access-control-allow-origin'], undefined);
  assert.equal((await call('GET', '/metrics', { Host: 'attacker.example:9182' })).status, 403);
  assert.equal((await call('GET', '/metrics', { Host: 'localhost:9182' })).status, 200);
});

test('the dashboard and its chart library are served from this address', async () => {
  const page = await call('GET', '/');
  assert.equal(page.status, 200);
  assert.match(page.text, /<script src="\/assets\/uPlot\.iife\.min\.js"><\/script>/);
  assert.doesNotMatch(page.text, /https?:\/\//, 'nothing is loaded from elsewhere');
  assert.match(String(page.headers['content-security-policy']), /default-src 'self'/);
  const uplot = await call('GET', '/assets/uPlot.iife.min.js');
  assert.equal(uplot.status, 200);
  assert.match(uplot.text, /uPlot/);
});

test('the status API answers in the IIS Administration API shapes', async () => {
  const pools = JSON.parse((await call('GET', '/api/webserver/application-pools')).text);
  assert.equal(pools.app_pools[0].name, 'DefaultAppPool');
  assert.equal(pools.app_pools[0].status, 'started');
  assert.equal(pools.app_pools[0].counters.totalWorkerProcessesCreated, 3);
  assert.equal(pools.app_pools[0]._links.worker_processes.href, '/api/webserver/worker-processes?application_pool.id=DefaultAppPool');
  assert.equal((await call('GET', '/api/webserver/application-pools/NoSuchPool')).status, 404);

  const workers = JSON.parse((await call('GET', '/api/webserver/worker-processes?application_pool.id=DefaultAppPool')).text);
  assert.deepEqual(workers.worker_processes.map((worker: { process_id: string }) => worker.process_id), ['4242', '4343']);
  assert.equal(workers.worker_processes[0].name, 'w3wp');
  assert.deepEqual(workers.worker_processes[0].application_pool, { name: 'DefaultAppPool', id: 'DefaultAppPool', status: 'started' });
  assert.equal(workers.worker_processes[0]._links.request_monitor.href, '/api/webserver/http-request-monitor/requests?wp.id=4242');

  const requests = JSON.parse((await call('GET', '/api/webserver/http-request-monitor/requests?wp.id=4242')).text);
  assert.deepEqual(requests.requests[0], {
    id: 'r1',
    url: '/slow',
    method: 'GET',
    client_ip_address: '127.0.0.1',
    pipeline_stage: 'ExecuteRequestHandler',
    module_name: 'iisnode',
    time_elapsed: 1500,
    website: { id: '1' },
    worker_process: { id: '4242', process_id: '4242' },
    application_pool: { name: 'DefaultAppPool' },
  });
  const sites = JSON.parse((await call('GET', '/api/webserver/websites')).text);
  assert.deepEqual(sites.websites[0], {
    name: 'Default Web Site',
    id: '1',
    status: 'started',
    counters: { web_service: site, http_service_url_group: urlGroup },
    _links: { self: { href: '/api/webserver/websites/1' } },
  });
  assert.deepEqual(JSON.parse((await call('GET', '/api/webserver/websites/1')).text), sites.websites[0], 'the self link answers');
  assert.equal((await call('GET', '/api/webserver/websites/99')).status, 404);
  assert.equal((await call('PUT', '/api/webserver/websites')).status, 405);
  assert.equal((await call('GET', '/api/webserver/nothing')).status, 404);
});

test('the change stream carries each site with its URL group counters, for the dashboard', async () => {
  const state = await new Promise<{ sites: Array<{ id: number; name: string; state: string; urlGroup: UrlGroupCounterSet | null; notFoundErrors: number | null }> }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: inetmgr.address.port, path: '/api/poolhost/stream' }, (res) => {
      assert.match(String(res.headers['content-type']), /^text\/event-stream/);
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => {
        text += chunk;
        const frame = /event: state\ndata: (.*)\n\n/.exec(text);
        if (frame) {
          req.destroy();
          resolve(JSON.parse(frame[1]!));
        }
      });
    });
    req.on('error', reject);
    req.end();
  });
  assert.deepEqual(state.sites, [{ id: 1, name: 'Default Web Site', state: 'Started', urlGroup, notFoundErrors: 3 }]);
});
