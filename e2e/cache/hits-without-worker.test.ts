// A frequently hit static file is answered by httpsys' kernel cache while every worker of its pool is
// stopped (SIGSTOP): 200s with the file, a 304 for its ETag, each hit in the site's W3C log and in
// `poolhost http show cachestate`; `http delete cache` flushes it.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSite } from '../pipeline/pipeline-support.js';
import { waitFor } from '../support/wait.js';
import { cacheState, w3cRecords, withWorkersStopped } from './cache-support.js';

test('hits are served with every worker stopped, logged, shown by cachestate, and flushed by delete cache', async () => {
  const page = '<p>cached page</p>'.repeat(20);
  const site = await startSite({ files: { 'www/page.html': page, 'www/other.html': 'other' } }, after);
  const url = `http://127.0.0.1:${site.port}/page.html`;

  // frequentHitThreshold 2: the first response is not offered, the second is stored.
  const first = await site.get('/page.html');
  assert.equal(first.status, 200);
  assert.equal((await site.get('/page.html')).status, 200);
  assert.deepEqual((await cacheState(site.poolhost)).entries.map((entry) => entry.URL), [url]);

  const etag = String(first.headers.etag);
  // With the workers stopped a miss never completes, so a generous timeout (for a loaded machine) still tells a hit.
  await withWorkersStopped(site.poolhost, 'Pool', async () => {
    for (let i = 0; i < 5; i++) {
      const hit = await site.get('/page.html', { timeoutMs: 10_000 });
      assert.equal(hit.status, 200);
      assert.equal(hit.text, page);
      assert.equal(hit.headers['content-type'], 'text/html');
      assert.equal(hit.headers.etag, etag);
      assert.match(String(hit.headers.date), /GMT$/);
    }
    const notModified = await site.get('/page.html', { headers: { 'if-none-match': etag }, timeoutMs: 10_000 });
    assert.equal(notModified.status, 304);
    assert.equal(notModified.body.length, 0);
    assert.equal(notModified.headers.etag, etag);
    const sinceModified = await site.get('/page.html', { headers: { 'if-modified-since': String(first.headers['last-modified']) }, timeoutMs: 10_000 });
    assert.equal(sinceModified.status, 304);
    // A URL not in the cache waits for the stopped worker.
    await assert.rejects(site.get('/other.html', { timeoutMs: 500 }), /timed out/);
  });

  const state = await cacheState(site.poolhost, `http://127.0.0.1:${site.port}/`);
  assert.match(state.text, /^\nSnapshot of HTTP response cache:\n-{32}\n/);
  const [entry] = state.entries;
  assert.equal(entry!.URL, url);
  assert.equal(entry!['Status code'], '200');
  assert.equal(entry!['HTTP verb'], 'GET');
  assert.equal(entry!['Cache policy type'], 'User invalidates');
  assert.match(entry!['Creation time']!, /^\d{4}\.\d{1,2}\.\d{1,2}:\d{1,2}\.\d{1,2}\.\d{1,2}:\d{1,3}$/);
  assert.equal(entry!['Request queue name'], 'Pool');
  assert.equal(entry!['Content length'], String(Buffer.byteLength(page)));
  assert.equal(entry!['Hit count'], '7');
  assert.equal(entry!['Force disconnect after serving'], 'FALSE');
  assert.deepEqual((await cacheState(site.poolhost, 'http://127.0.0.1:1/')).entries, []);

  // Every request has its W3C line: 2 from the worker, 7 written by httpsys for the hits.
  await waitFor('the hits to be logged', () => w3cRecords(site.poolhost).filter((record) => record['cs-uri-stem'] === '/page.html').length === 9, 10_000);
  const lines = w3cRecords(site.poolhost).filter((record) => record['cs-uri-stem'] === '/page.html');
  assert.deepEqual(lines.map((record) => record['sc-status']).sort(), ['200', '200', '200', '200', '200', '200', '200', '304', '304']);
  for (const record of lines) {
    assert.equal(record['cs-method'], 'GET');
    assert.equal(record['s-port'], String(site.port));
    assert.equal(record['c-ip'], '127.0.0.1');
    assert.equal(record['cs-username'], '-');
    assert.equal(record['sc-substatus'], '0');
    assert.equal(record['sc-win32-status'], '0');
    assert.match(record['time-taken']!, /^\d+$/);
  }

  const deleted = await site.poolhost.cli('http', 'delete', 'cache', `url=http://127.0.0.1:${site.port}/`, 'recursive=yes');
  assert.equal(deleted.code, 0, deleted.stderr);
  assert.match(deleted.stdout, /flushed: 1 URI/);
  assert.deepEqual((await cacheState(site.poolhost)).entries, []);
  const refused = await site.poolhost.cli('http', 'show', 'cache');
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /not found: http show cache/);
});
