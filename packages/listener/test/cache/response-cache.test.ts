// The kernel cache's store: least recently used eviction against maxCacheSize with every entry's bytes
// counted, time to live and the scavenger period on a fake clock, and flushes by URL, file, queue, owner.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '@poolhost/common/testing';
import { KernelCachePolicyType } from '@poolhost/protocol';
import { ResponseCache } from '../../src/cache/response-cache.js';
import { buildEntryBytes, ENTRY_OVERHEAD_BYTES, type CacheEntry } from '../../src/cache/cache-entry.js';

const ownerA = {};
const ownerB = {};

function entry(clock: FakeClock, key: string, bodyBytes: number, options: Partial<CacheEntry> = {}): CacheEntry {
  const built = buildEntryBytes({
    statusLine: 'HTTP/1.1 200 OK\r\n',
    headers: ['Content-Type', 'text/plain', 'Content-Length', String(bodyBytes), 'ETag', 'W/"1"'],
    strictTransportSecurity: null,
    body: Buffer.alloc(bodyBytes, 120),
  });
  return {
    key,
    siteId: 1,
    requestQueue: 'Pool',
    owner: ownerA,
    policy: KernelCachePolicyType.UserInvalidates,
    secondsToLive: 0,
    expiresAt: 0,
    createdAt: clock.now(),
    lastHitAt: clock.now(),
    hitCount: 0,
    ...built,
    contentLength: bodyBytes,
    file: '',
    logHits: true,
    identityOnly: false,
    bytes: built.response.length + built.notModified.length + ENTRY_OVERHEAD_BYTES,
    ...options,
  };
}

test('entries are found by URL; each hit counts and misses are counted', () => {
  const clock = new FakeClock();
  const cache = new ResponseCache({ maxBytes: 1_000_000, scavengerPeriodMs: 120_000 }, clock);
  assert.equal(cache.lookup('http://a:80/x'), null);
  assert.ok(cache.store(entry(clock, 'http://a:80/x', 10)));
  assert.equal(cache.lookup('http://a:80/x')?.hitCount, 1);
  assert.equal(cache.lookup('http://a:80/x')?.hitCount, 2);
  assert.equal(cache.lookup('http://a:80/X'), null);
  const counters = cache.counters();
  assert.equal(counters.currentUrisCached, 1);
  assert.equal(counters.totalUrisCached, 1);
  assert.equal(counters.uriCacheHits, 2);
  assert.equal(counters.uriCacheMisses, 2);
  assert.equal(cache.hitsOf('Pool'), 2);
});

test('a full cache evicts the least recently used entries, and its bytes are what the entries hold', () => {
  const clock = new FakeClock();
  const one = entry(clock, 'http://a:80/1', 1000);
  const cache = new ResponseCache({ maxBytes: one.bytes * 3, scavengerPeriodMs: 120_000 }, clock);
  cache.store(one);
  cache.store(entry(clock, 'http://a:80/2', 1000));
  cache.store(entry(clock, 'http://a:80/3', 1000));
  assert.equal(cache.memoryUsage, one.bytes * 3);
  cache.lookup('http://a:80/1'); // 2 is now the least recently used
  cache.store(entry(clock, 'http://a:80/4', 1000));
  assert.equal(cache.lookup('http://a:80/2'), null);
  assert.ok(cache.lookup('http://a:80/1'));
  assert.ok(cache.lookup('http://a:80/3'));
  assert.ok(cache.lookup('http://a:80/4'));
  assert.equal(cache.memoryUsage, one.bytes * 3);
  assert.equal(cache.counters().maxMemoryUsage, one.bytes * 3);
  // An entry bigger than the whole cache is refused and evicts nothing.
  assert.equal(cache.store(entry(clock, 'http://a:80/big', one.bytes * 4)), false);
  assert.equal(cache.size, 3);
  // A smaller maxCacheSize evicts until the rest fits.
  cache.resize({ maxBytes: one.bytes * 2, scavengerPeriodMs: 120_000 });
  assert.equal(cache.size, 2);
  assert.equal(cache.lookup('http://a:80/1'), null);
  // Replacing an entry counts its bytes once.
  cache.store(entry(clock, 'http://a:80/3', 1000));
  assert.equal(cache.memoryUsage, one.bytes * 2);
});

test('time to live and the scavenger period flush on the clock', async () => {
  const clock = new FakeClock();
  const cache = new ResponseCache({ maxBytes: 1_000_000, scavengerPeriodMs: 120_000 }, clock);
  cache.store(entry(clock, 'http://a:80/ttl', 10, { policy: KernelCachePolicyType.TimeToLive, secondsToLive: 30, expiresAt: clock.now() + 30_000 }));
  cache.store(entry(clock, 'http://a:80/idle', 10));
  cache.store(entry(clock, 'http://a:80/busy', 10));
  await clock.advance(29_999);
  assert.ok(cache.lookup('http://a:80/ttl'));
  await clock.advance(1);
  assert.equal(cache.lookup('http://a:80/ttl'), null, 'expired at its time to live, even when hit');
  await clock.advance(60_000);
  cache.lookup('http://a:80/busy');
  await clock.advance(60_000); // idle: not hit for 120 s; busy: hit 60 s ago
  assert.equal(cache.scavenge(), 1);
  assert.equal(cache.lookup('http://a:80/idle'), null);
  assert.ok(cache.lookup('http://a:80/busy'));
});

test('flushes by URL (exact or recursive, scheme and host case-insensitive), file, queue and owner', () => {
  const clock = new FakeClock();
  const removed: string[] = [];
  const cache = new ResponseCache({ maxBytes: 1_000_000, scavengerPeriodMs: 120_000 }, clock, (gone) => removed.push(gone.key));
  const fill = (): void => {
    cache.store(entry(clock, 'http://a:80/app/1', 10, { file: '/srv/1' }));
    cache.store(entry(clock, 'http://a:80/app/2', 10, { requestQueue: 'Other' }));
    cache.store(entry(clock, 'http://a:80/top', 10, { owner: ownerB }));
  };
  fill();
  assert.equal(cache.flushUrl('HTTP://A:80/app/1', false), 1);
  assert.equal(cache.flushUrl('http://a:80/app', false), 0);
  assert.equal(cache.flushUrl('http://a:80/app', true), 1);
  assert.equal(cache.flushUrl(undefined, false), 1);
  assert.equal(cache.size, 0);
  fill();
  assert.equal(cache.flushFile('/srv/1'), 1);
  assert.equal(cache.flushQueue('Other'), 1);
  assert.equal(cache.flushOwner(ownerB), 1);
  assert.equal(cache.memoryUsage, 0);
  assert.deepEqual(removed, ['http://a:80/app/1', 'http://a:80/app/2', 'http://a:80/top', 'http://a:80/app/1', 'http://a:80/app/2', 'http://a:80/top']);
  const counters = cache.counters();
  assert.equal(counters.uriCacheFlushes, 7);
  assert.equal(counters.totalFlushedUris, 6);
});

test('an entry is one buffer: head, a Date to stamp, the body; its 304 repeats the validators', () => {
  const built = buildEntryBytes({
    statusLine: 'HTTP/1.1 200 OK\r\n',
    headers: ['Content-Type', 'text/plain', 'Date', 'old', 'ETag', '"abc"', 'Last-Modified', 'Wed, 02 Dec 2026 02:48:30 GMT', 'Content-Length', '5'],
    strictTransportSecurity: 'max-age=31536000',
    body: Buffer.from('hello'),
  });
  const date = 'Thu, 03 Dec 2026 10:00:00 GMT';
  built.response.latin1Write(date, built.dateOffset);
  assert.equal(
    built.response.toString('latin1'),
    'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nETag: "abc"\r\nLast-Modified: Wed, 02 Dec 2026 02:48:30 GMT\r\nContent-Length: 5\r\n' +
      `Strict-Transport-Security: max-age=31536000\r\nDate: ${date}\r\n\r\nhello`,
  );
  built.notModified.latin1Write(date, built.notModifiedDateOffset);
  assert.equal(built.notModified.toString('latin1'), `HTTP/1.1 304 Not Modified\r\nETag: "abc"\r\nLast-Modified: Wed, 02 Dec 2026 02:48:30 GMT\r\nDate: ${date}\r\n\r\n`);
  assert.equal(built.etag, '"abc"');
  assert.equal(built.lastModified, Date.parse('Wed, 02 Dec 2026 02:48:30 GMT'));
});
