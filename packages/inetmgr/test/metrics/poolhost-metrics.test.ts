import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CounterSnapshot } from '../../src/counters/counter-snapshot.js';
import { poolhostFamilies } from '../../src/metrics/poolhost-metrics.js';

const configurationInfo = poolhostFamilies.find((family) => family.name === 'poolhost_configuration_info')!;
const base: CounterSnapshot = { takenAt: Date.now(), listener: null, applicationPools: null, sites: null, usage: new Map(), unavailable: [] };

test('poolhost_configuration_info names the generation and its source; nothing when was does not answer', () => {
  const configuration = { generation: '8852692731a5', source: 'cached' as const, localFile: '/etc/poolhost/applicationHost.config', appliedAt: '2026-12-02T10:00:00.000Z' };
  assert.deepEqual(configurationInfo.samples({ ...base, configuration }), [{ labels: { generation: '8852692731a5', source: 'cached' }, value: 1 }]);
  assert.deepEqual(configurationInfo.samples({ ...base, configuration: null, unavailable: ['was'] }), []);
});

test('net.tcp families: connections per site and pool, refusals by reason with every reason exported; nothing without the activator', () => {
  const family = (name: string) => poolhostFamilies.find((candidate) => candidate.name === name)!;
  const netTcp = {
    type: 'NetTcpCounters' as const,
    queues: [{ applicationPool: 'Echo', enabled: true, totalConnections: 9, currentConnections: 3, queuedConnections: 1, refusedByReason: { QueueFull: 4, RapidFailProtection: 1 }, attachedWorkers: 1 }],
    sites: [{ siteId: 2, siteName: 'EchoSite', applicationPool: 'Echo', totalConnections: 9, currentConnections: 3 }],
  };
  const snapshot = { ...base, netTcp };
  assert.deepEqual(family('poolhost_net_tcp_current_connections').samples(snapshot), [{ labels: { site: 'EchoSite', app: 'Echo' }, value: 3 }]);
  assert.deepEqual(family('poolhost_net_tcp_connections_total').samples(snapshot), [{ labels: { site: 'EchoSite', app: 'Echo' }, value: 9 }]);
  assert.deepEqual(family('poolhost_net_tcp_pool_current_connections').samples(snapshot), [{ labels: { app: 'Echo' }, value: 3 }]);
  assert.deepEqual(family('poolhost_net_tcp_queued_connections').samples(snapshot), [{ labels: { app: 'Echo' }, value: 1 }]);
  assert.deepEqual(
    family('poolhost_net_tcp_connections_refused_total').samples(snapshot).map((sample) => [sample.labels.reason, sample.value]),
    [['QueueFull', 4], ['AppOffline', 0], ['RapidFailProtection', 1], ['AppShutdown', 0]],
  );
  assert.deepEqual(family('poolhost_net_tcp_connections_refused_total').samples({ ...base, netTcp: null }), []);
});
