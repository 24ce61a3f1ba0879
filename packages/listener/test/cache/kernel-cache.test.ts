// What httpsys does with a complete response a worker offered: stored, or refused with a reason that is
// counted (storeRefusals), and told to the worker when it asked (ReportStore: a traced request).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@poolhost/common';
import { KernelCacheFlags, KernelCachePolicyType, type KernelCacheStoreVerdict } from '@poolhost/protocol';
import { KernelCache } from '../../src/cache/kernel-cache.js';
import { CacheCapture } from '../../src/cache/cache-capture.js';
import type { ListenerRequest } from '../../src/requests/listener-request.js';

const logger = createLogger({ service: 'httpsys', level: 'silent' });

/** A request dispatched to a worker that records the verdicts it is sent. */
function dispatchedRequest(url: string, options: { detached?: boolean; queueEnabled?: boolean } = {}): { request: ListenerRequest; verdicts: string[] } {
  const verdicts: string[] = [];
  const worker = { detached: options.detached ?? false, writer: { cacheStoreVerdict: (streamId: number, verdict: KernelCacheStoreVerdict) => void verdicts.push(`${streamId} ${verdict}`) } };
  const request = {
    head: { url, method: 'GET', rawHeaders: ['Host', 'localhost'] },
    carrier: { secure: false, localIp: '127.0.0.1', localPort: 80 },
    site: { siteId: 1, strictTransportSecurity: null },
    queue: { name: 'Pool', enabled: options.queueEnabled ?? true },
    dispatchedTo: worker,
    streamId: 7,
  };
  return { request: request as unknown as ListenerRequest, verdicts };
}

/** The worker's response, complete, with the Last-Modified of `mtime` (seconds). */
function complete(cache: KernelCache, request: ListenerRequest, file: string, mtime: number, flags: number): void {
  const body = Buffer.from('hello');
  const headers = ['Content-Type', 'text/plain', 'Content-Length', '5', 'Last-Modified', new Date(mtime * 1000).toUTCString()];
  const capture = new CacheCapture(cache, request, `http://localhost:80${request.head.url}`, { policy: KernelCachePolicyType.UserInvalidates, secondsToLive: 0, flags, file }, headers, Buffer.allocUnsafe(5));
  capture.append(body);
  capture.complete();
}

test('a stored response is OK to a worker that asked; refusals are counted by reason and told only to one that asked', () => {
  const folder = mkdtempSync(join(tmpdir(), 'poolhost-kernel-cache-'));
  const cache = new KernelCache(logger);
  try {
    const file = join(folder, 'a.txt');
    writeFileSync(file, 'hello');
    const mtime = 1_700_000_000;
    utimesSync(file, mtime, mtime);
    const traced = KernelCacheFlags.StaticFile | KernelCacheFlags.ReportStore;

    const stored = dispatchedRequest('/a.txt');
    complete(cache, stored.request, file, mtime, traced);
    assert.deepEqual(stored.verdicts, ['7 OK']);
    assert.equal(cache.store.size, 1);

    // The file changed after the worker read it: its mtime is no longer the response's Last-Modified.
    const changed = dispatchedRequest('/b.txt');
    complete(cache, changed.request, file, mtime - 60, traced);
    assert.deepEqual(changed.verdicts, ['7 FILE_CHANGED']);

    // Gone before httpsys could watch it: nothing would flush the entry.
    const gone = dispatchedRequest('/c.txt');
    complete(cache, gone.request, join(folder, 'gone.txt'), mtime, traced);
    assert.deepEqual(gone.verdicts, ['7 NO_CACHE_INVALIDATOR']);

    const detached = dispatchedRequest('/d.txt', { detached: true });
    complete(cache, detached.request, file, mtime, traced);
    assert.deepEqual(detached.verdicts, ['7 WORKER_DETACHED']);

    const disabled = dispatchedRequest('/e.txt', { queueEnabled: false });
    complete(cache, disabled.request, file, mtime, traced);
    assert.deepEqual(disabled.verdicts, ['7 QUEUE_DISABLED']);

    // An untraced offer is refused (and counted) just the same, in silence.
    const untraced = dispatchedRequest('/f.txt');
    complete(cache, untraced.request, file, mtime - 60, KernelCacheFlags.StaticFile);
    assert.deepEqual(untraced.verdicts, []);

    assert.equal(cache.store.size, 1);
    assert.deepEqual(cache.counters().storeRefusals, { FILE_CHANGED: 2, NO_CACHE_INVALIDATOR: 1, WORKER_DETACHED: 1, QUEUE_DISABLED: 1 });
  } finally {
    void cache.close();
    rmSync(folder, { recursive: true, force: true });
  }
});

test('a response whose body is not its Content-Length, or that ends with trailers, is refused as RESPONSE_MORE_DATA', () => {
  const cache = new KernelCache(logger);
  const { request, verdicts } = dispatchedRequest('/short');
  const policy = { policy: KernelCachePolicyType.TimeToLive, secondsToLive: 30, flags: KernelCacheFlags.ReportStore, file: '' };
  const short = new CacheCapture(cache, request, 'http://localhost:80/short', policy, ['Content-Length', '5'], Buffer.allocUnsafe(5));
  short.append(Buffer.from('hel'));
  short.complete();
  const long = new CacheCapture(cache, request, 'http://localhost:80/short', policy, ['Content-Length', '5'], Buffer.allocUnsafe(5));
  long.append(Buffer.from('hello, world'));
  long.complete();
  new CacheCapture(cache, request, 'http://localhost:80/short', policy, ['Content-Length', '5'], Buffer.allocUnsafe(5)).refuse('RESPONSE_MORE_DATA', 'trailers');
  assert.deepEqual(verdicts, ['7 RESPONSE_MORE_DATA', '7 RESPONSE_MORE_DATA', '7 RESPONSE_MORE_DATA']);
  assert.equal(cache.store.size, 0);
  void cache.close();
});
