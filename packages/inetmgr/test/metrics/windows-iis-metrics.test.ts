import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWorkerRequestCounters, type ApplicationPoolCounters, type FileCacheCounters, type WorkerProcessCounterSet } from '@poolhost/protocol';
import type { CounterSnapshot } from '../../src/counters/counter-snapshot.js';
import { windowsIisFamilies } from '../../src/metrics/windows-iis-metrics.js';

function worker(pid: number, applicationPool: string, fileCache: FileCacheCounters): WorkerProcessCounterSet {
  return { ...createWorkerRequestCounters(), pid, applicationPool, state: 'Running', startedAt: '2026-01-01T00:00:00.000Z', activeRequests: 0, totalRequestsServed: 0, fileCache };
}

function snapshot(workers: WorkerProcessCounterSet[]): CounterSnapshot {
  const applicationPools: ApplicationPoolCounters = { type: 'ApplicationPoolCounters', startedAt: '2026-01-01T00:00:00.000Z', applicationPools: [], workers };
  return { takenAt: Date.now(), listener: null, applicationPools, sites: null, usage: new Map(), unavailable: [] };
}

function samples(name: string, taken: CounterSnapshot) {
  const family = windowsIisFamilies.find((candidate) => candidate.name === name);
  assert.ok(family, `no family ${name}`);
  return family.samples(taken);
}

test('Web Service Cache sums the workers file caches; W3SVC_W3WP keeps each one under app and pid', () => {
  const taken = snapshot([
    worker(101, 'DefaultAppPool', { hits: 3, misses: 1, flushes: 1, currentFiles: 2, totalFiles: 3, flushedFiles: 1, currentBytes: 1000, maximumBytes: 1500 }),
    worker(202, 'Shop', { hits: 10, misses: 4, flushes: 2, currentFiles: 4, totalFiles: 6, flushedFiles: 2, currentBytes: 3000, maximumBytes: 3000 }),
  ]);
  assert.deepEqual(samples('windows_iis_worker_file_cache_queries_total', taken), [
    { labels: { app: 'DefaultAppPool', pid: '101' }, value: 4 },
    { labels: { app: 'Shop', pid: '202' }, value: 14 },
  ]);
  const server = (suffix: string) => samples('windows_iis_server_file_cache_' + suffix, taken);
  assert.deepEqual(server('hits_total'), [{ labels: {}, value: 13 }]);
  assert.deepEqual(server('queries_total'), [{ labels: {}, value: 18 }]);
  assert.deepEqual(server('flushes_total'), [{ labels: {}, value: 3 }]);
  assert.deepEqual(server('items'), [{ labels: {}, value: 6 }]);
  assert.deepEqual(server('items_total'), [{ labels: {}, value: 9 }]);
  assert.deepEqual(server('items_flushed_total'), [{ labels: {}, value: 3 }]);
  assert.deepEqual(server('memory_bytes'), [{ labels: {}, value: 4000 }]);
  assert.deepEqual(server('max_memory_bytes'), [{ labels: {}, value: 4500 }]);
});

test('without was counters there is no server file cache sample (not a zero that was never read)', () => {
  const taken: CounterSnapshot = { takenAt: Date.now(), listener: null, applicationPools: null, sites: null, usage: new Map(), unavailable: ['was'] };
  assert.deepEqual(samples('windows_iis_server_file_cache_hits_total', taken), []);
});
