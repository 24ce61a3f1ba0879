import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FILE_CACHE_MAX_FILE_SIZE, FileCache } from '../../src/handlers/file-cache.js';

test('the file cache keeps files while their inode, size and time match, and evicts the least recently used beyond its size', async (t) => {
  const folder = mkdtempSync(join(tmpdir(), 'file-cache-'));
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  const path = (name: string): string => join(folder, name);
  for (const name of ['a', 'b', 'c']) writeFileSync(path(name), name.repeat(400));
  const cache = new FileCache(1000);

  for (const name of ['a', 'b']) await cache.fill(path(name), statSync(path(name)));
  assert.equal(cache.lookup(path('a'), statSync(path('a')))?.body.toString(), 'a'.repeat(400));
  assert.equal(cache.size, 800);
  // 'a' was used last: filling 'c' past 1000 bytes evicts 'b'.
  await cache.fill(path('c'), statSync(path('c')));
  assert.equal(cache.size, 800);
  assert.equal(cache.lookup(path('b'), statSync(path('b'))), undefined);
  assert.ok(cache.lookup(path('a'), statSync(path('a'))));

  writeFileSync(path('a'), 'A'.repeat(400));
  assert.equal(cache.lookup(path('a'), statSync(path('a'))), undefined, 'a rewritten file is a miss, and its entry is dropped');
  assert.equal(cache.size, 400);

  writeFileSync(path('big'), Buffer.alloc(FILE_CACHE_MAX_FILE_SIZE + 1));
  const large = new FileCache();
  await large.fill(path('big'), statSync(path('big')));
  assert.equal(large.size, 0, 'over FileCacheMaxFileSize nothing is kept');

  const stats = statSync(path('c'));
  await cache.fill(path('missing'), stats);
  assert.equal(cache.lookup(path('missing'), stats), undefined, 'an unreadable file is not kept');
});

test('the file cache counts hits, misses, flushes and files as W3SVC_W3WP does', async (t) => {
  const folder = mkdtempSync(join(tmpdir(), 'file-cache-counters-'));
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  const path = (name: string): string => join(folder, name);
  for (const name of ['a', 'b', 'c']) writeFileSync(path(name), name.repeat(400));
  const cache = new FileCache(1000);
  const { counters } = cache;

  assert.equal(cache.lookup(path('a'), statSync(path('a'))), undefined);
  assert.deepEqual({ ...counters }, { hits: 0, misses: 1, flushes: 0, currentFiles: 0, totalFiles: 0, flushedFiles: 0, currentBytes: 0, maximumBytes: 0 }, 'a file not cached yet is a miss');
  await cache.fill(path('a'), statSync(path('a')));
  assert.ok(cache.lookup(path('a'), statSync(path('a'))));
  assert.deepEqual({ ...counters }, { hits: 1, misses: 1, flushes: 0, currentFiles: 1, totalFiles: 1, flushedFiles: 0, currentBytes: 400, maximumBytes: 400 }, 'the second request is a hit');

  writeFileSync(path('a'), 'A'.repeat(300));
  assert.equal(cache.lookup(path('a'), statSync(path('a'))), undefined);
  assert.deepEqual({ ...counters }, { hits: 1, misses: 2, flushes: 1, currentFiles: 0, totalFiles: 1, flushedFiles: 1, currentBytes: 0, maximumBytes: 400 }, 'a changed file is a miss and a flush');

  for (const name of ['a', 'b']) await cache.fill(path(name), statSync(path(name)));
  assert.deepEqual({ ...counters }, { hits: 1, misses: 2, flushes: 1, currentFiles: 2, totalFiles: 3, flushedFiles: 1, currentBytes: 700, maximumBytes: 700 });
  // 300 + 400 + 400 is over 1000 bytes: 'a', the least recently used, is evicted to make room for 'c'.
  await cache.fill(path('c'), statSync(path('c')));
  assert.deepEqual({ ...counters }, { hits: 1, misses: 2, flushes: 2, currentFiles: 2, totalFiles: 4, flushedFiles: 2, currentBytes: 800, maximumBytes: 800 }, 'an eviction is a flush; the peak never counts a moment over the limit');
  assert.equal(cache.lookup(path('a'), statSync(path('a'))), undefined);
  assert.ok(cache.lookup(path('c'), statSync(path('c'))));
  assert.equal(counters.misses, 3);
  assert.equal(counters.hits, 2);
});
