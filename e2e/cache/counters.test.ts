// A cache hit is still a request: /metrics counts it in Web Service (requests by verb), in the kernel URI
// cache counters (windows_exporter's server_uri_cache_* with mode="kernel") and in its queue's cache hits.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPoolhost } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort, httpRequest } from '../support/http.js';
import { waitFor } from '../support/wait.js';
import { parseMetrics, sampleValue } from '../support/prometheus-text.js';

test('hits, misses, cached URIs and flushes in /metrics; hits counted as GET requests of the site', async () => {
  const port = await freePort();
  const metricsPort = await freePort();
  const poolhost = await startPoolhost(
    {
      config: applicationHostConfig({
        pools: [{ name: 'Cached' }],
        sites: [{ name: 'Counted', id: 3, bindings: [`127.0.0.1:${port}:`], applications: [{ path: '/', pool: 'Cached', physicalPath: '{{root}}/www' }] }],
        // The worker offers up to 256 KB (maxResponseSize); httpsys refuses what passes UriMaxUriBytes.
        httpSys: { uriMaxUriBytes: '4096' },
      }),
      files: { 'www/a.txt': 'a', 'www/b.txt': 'b', 'www/large.txt': 'x'.repeat(5000) },
      args: ['--metrics', `127.0.0.1:${metricsPort}`],
      waitForPort: port,
    },
    after,
  );
  await waitFor('inetmgr to answer /metrics', async () => (await httpRequest({ port: metricsPort, path: '/metrics' }).catch(() => null))?.status === 200, 20_000);
  for (let i = 0; i < 5; i++) assert.equal((await httpRequest({ port, path: '/a.txt' })).text, 'a');
  for (let i = 0; i < 2; i++) assert.equal((await httpRequest({ port, path: '/b.txt' })).text, 'b');
  const scrape = async () => parseMetrics((await httpRequest({ port: metricsPort, path: '/metrics' })).text);
  let families = await scrape();
  const kernel = (name: string) => sampleValue(families, `windows_iis_server_uri_cache_${name}`, { mode: 'kernel' });
  // a.txt: miss, miss (stored), 3 hits; b.txt: miss, miss (stored).
  assert.equal(kernel('hits_total'), 3);
  assert.equal(kernel('queries_total'), 7);
  assert.equal(kernel('items'), 2);
  assert.equal(kernel('items_total'), 2);
  assert.equal(sampleValue(families, 'poolhost_request_queue_cache_hits_total', { app: 'Cached' }), 3);
  assert.equal(sampleValue(families, 'windows_iis_requests_total', { site: 'Counted', method: 'GET' }), 7);
  assert.ok(sampleValue(families, 'poolhost_kernel_cache_memory_bytes', {})! > 0);
  assert.equal(sampleValue(families, 'poolhost_kernel_cache_refusals_total', { reason: 'RESPONSE_MORE_DATA' }), undefined, 'no refusal yet');
  // large.txt: not frequently hit, then offered and refused, twice.
  for (let i = 0; i < 3; i++) assert.equal((await httpRequest({ port, path: '/large.txt' })).status, 200);
  families = await scrape();
  assert.equal(sampleValue(families, 'poolhost_kernel_cache_refusals_total', { reason: 'RESPONSE_MORE_DATA' }), 2);
  assert.equal(kernel('items'), 2);

  const flushed = await poolhost.cli('http', 'delete', 'cache');
  assert.equal(flushed.code, 0, flushed.stderr);
  families = await scrape();
  assert.equal(kernel('items'), 0);
  assert.equal(kernel('items_flushed_total'), 2);
  assert.equal(kernel('flushes_total'), 1);
  assert.equal(sampleValue(families, 'poolhost_kernel_cache_memory_bytes', {}), 0);
});
