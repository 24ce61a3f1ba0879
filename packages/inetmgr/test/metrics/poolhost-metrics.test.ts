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
