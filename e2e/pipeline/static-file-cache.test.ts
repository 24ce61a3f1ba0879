// Small static files are answered from the worker's file cache after the first request: the answers
// must be the ones `send` gives from disk, and a changed or deleted file must never be served stale.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startSite } from './pipeline-support.js';

function entityHeaders(headers: Record<string, unknown>): Record<string, unknown> {
  const { date: _date, ...rest } = headers;
  return rest;
}

test('the file cache answers as the disk does, and a changed or deleted file is never served stale', async () => {
  const site = await startSite({ files: { 'www/page.html': '<p>first</p>', 'www/big.bin': 'x'.repeat(300 * 1024) } }, after);
  const file = join(site.poolhost.root, 'www', 'page.html');

  const fromDisk = await site.get('/page.html');
  await sleep(100); // the first request fills the cache in the background
  const fromCache = await site.get('/page.html');
  assert.equal(fromCache.status, 200);
  assert.equal(fromCache.text, '<p>first</p>');
  assert.deepEqual(entityHeaders(fromCache.headers), entityHeaders(fromDisk.headers));
  const head = await site.get('/page.html', { method: 'HEAD' });
  assert.deepEqual(entityHeaders(head.headers), entityHeaders(fromDisk.headers));
  assert.equal(head.text, '');
  assert.equal((await site.get('/page.html', { headers: { 'if-none-match': String(fromDisk.headers.etag) } })).status, 304);

  // Same size, new content and time: the cached copy no longer matches the file.
  writeFileSync(file, '<p>other</p>');
  const changed = await site.get('/page.html');
  assert.equal(changed.text, '<p>other</p>');
  assert.notEqual(changed.headers.etag, fromDisk.headers.etag);
  await sleep(100);
  assert.equal((await site.get('/page.html')).text, '<p>other</p>');

  // Same size and the old modification time put back: a new inode (write to a new file, rename) still tells.
  const oldTime = new Date(String(fromDisk.headers['last-modified']));
  writeFileSync(`${file}.new`, '<p>third</p>');
  utimesSync(`${file}.new`, oldTime, oldTime);
  renameSync(`${file}.new`, file);
  assert.equal((await site.get('/page.html')).text, '<p>third</p>');

  rmSync(file);
  assert.equal((await site.get('/page.html')).status, 404);

  // Over FileCacheMaxFileSize: always from disk, whole.
  const big = await site.get('/big.bin');
  await sleep(100);
  assert.equal((await site.get('/big.bin')).text.length, 300 * 1024);
  assert.equal(big.text.length, 300 * 1024);
});
