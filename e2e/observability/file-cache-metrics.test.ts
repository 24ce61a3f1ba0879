// The static file handler's file cache in /metrics: a small file requested twice is one miss (served
// from disk, then cached) and one hit for the worker that served it (W3SVC_W3WP), and the same in the
// server-wide sum (Web Service Cache), under windows_exporter's names.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPoolhost } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort, httpRequest } from '../support/http.js';
import { waitFor } from '../support/wait.js';
import { parseMetrics, sampleValue, type MetricFamilyText } from '../support/prometheus-text.js';

test('/metrics: a static file requested twice is one file cache miss and one hit for its worker', async () => {
  const port = await freePort();
  const metricsPort = await freePort();
  const page = '<p>cached</p>';
  await startPoolhost(
    {
      config: applicationHostConfig({
        pools: [{ name: 'Static' }],
        sites: [{ name: 'Files', id: 1, bindings: [`127.0.0.1:${port}:`], applications: [{ path: '/', pool: 'Static', physicalPath: '{{root}}/www' }] }],
      }),
      files: { 'www/page.html': page },
      args: ['--metrics', `127.0.0.1:${metricsPort}`],
      waitForPort: port,
    },
    after,
  );
  await waitFor('inetmgr to answer /metrics', async () => (await httpRequest({ port: metricsPort, path: '/metrics' }).catch(() => null))?.status === 200, 20_000);
  let families = new Map<string, MetricFamilyText>();
  const scrape = async () => {
    const response = await httpRequest({ port: metricsPort, path: '/metrics' });
    assert.equal(response.status, 200);
    families = parseMetrics(response.text);
  };

  const first = await httpRequest({ port, path: '/page.html' });
  assert.equal(first.status, 200);
  assert.equal(first.text, page);
  // The first request is served from disk and fills the cache in the background.
  await waitFor('the file to be cached', async () => {
    await scrape();
    return sampleValue(families, 'windows_iis_server_file_cache_items') === 1;
  }, 15_000);
  const second = await httpRequest({ port, path: '/page.html' });
  assert.equal(second.status, 200);
  assert.equal(second.text, page);
  await scrape();

  const workers = families.get('windows_iis_worker_file_cache_hits_total')?.metrics ?? [];
  assert.equal(workers.length, 1, 'one worker');
  const pid = workers[0]!.labels!.pid!;
  assert.equal(sampleValue(families, 'windows_iis_worker_requests_total', { app: 'Static', pid }), 2, 'both requests reached this worker');
  const worker = (name: string) => sampleValue(families, `windows_iis_worker_file_cache_${name}`, { app: 'Static', pid });
  const server = (name: string) => sampleValue(families, `windows_iis_server_file_cache_${name}`);
  for (const read of [worker, server]) {
    assert.equal(read('queries_total'), 2, 'two lookups');
    assert.equal(read('hits_total'), 1, 'the second request is a hit (queries - hits = one miss)');
    assert.equal(read('items'), 1);
    assert.equal(read('items_total'), 1);
    assert.equal(read('memory_bytes'), Buffer.byteLength(page));
    assert.equal(read('max_memory_bytes'), Buffer.byteLength(page));
    assert.equal(read('flushes_total'), 0);
    assert.equal(read('items_flushed_total'), 0);
  }
});
