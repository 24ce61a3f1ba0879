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
