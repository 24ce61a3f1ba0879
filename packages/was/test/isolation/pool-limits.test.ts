import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configWithPools } from '../support/config-fixture.js';
import { affinityCpus, cpuList, cpuSharesFor, cpuWeightFor, parseCpuList, poolLimits } from '../../src/isolation/pool-limits.js';

const poolWith = (attributes: string, cpu: string) => configWithPools([{ name: 'Pool', attributes, children: `<cpu ${cpu} />` }]).applicationPools[0]!;

test('Throttle: limit in 1/1000 % of the whole machine becomes a CFS quota over all CPUs (30000 on 8 CPUs -> 240000/100000)', () => {
  const limits = poolLimits(poolWith('', 'limit="30000" action="Throttle"'), [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual(limits.cpuQuota, { quotaUs: 240_000, periodUs: 100_000 });
  assert.equal(limits.cpuWeight, null);
  assert.deepEqual(poolLimits(poolWith('', 'limit="20000" action="Throttle"'), [0, 1]).cpuQuota, { quotaUs: 40_000, periodUs: 100_000 });
});

test('ThrottleUnderLoad is a weight, NoAction and KillW3wp write no cap, limit 0 is off', () => {
  assert.equal(poolLimits(poolWith('', 'limit="50000" action="ThrottleUnderLoad"'), [0, 1]).cpuWeight, 100);
  assert.equal(poolLimits(poolWith('', 'limit="20000" action="ThrottleUnderLoad"'), [0, 1]).cpuWeight, 25);
  assert.equal(cpuSharesFor(100), 1024);
  assert.equal(cpuWeightFor(1), 10_000);
  for (const action of ['NoAction', 'KillW3wp']) {
    const limits = poolLimits(poolWith('', `limit="20000" action="${action}"`), [0, 1]);
    assert.equal(limits.cpuQuota, null);
    assert.equal(limits.cpuWeight, null);
  }
  assert.equal(poolLimits(poolWith('', 'limit="0" action="Throttle"'), [0, 1]).cpuQuota, null);
});

test('smpAffinitized maps the 64-bit mask (two 32-bit halves) onto the online CPUs as a cpuset list', () => {
  assert.deepEqual(affinityCpus(0b1101, 0, [0, 1, 2, 3]), [0, 2, 3]);
  assert.deepEqual(affinityCpus(0, 1, [0, 31, 32, 33]), [32]);
  assert.equal(cpuList([0, 2, 3, 4, 7]), '0,2-4,7');
  assert.deepEqual(parseCpuList('0-2,5\n'), [0, 1, 2, 5]);
  assert.equal(poolLimits(poolWith('', 'smpAffinitized="true" smpProcessorAffinityMask="2"'), [0, 1]).cpus, '1');
  assert.equal(poolLimits(poolWith('', 'smpAffinitized="false" smpProcessorAffinityMask="2"'), [0, 1]).cpus, null);
});

test('memoryLimit (KB) and taskLimit are poolhost attributes beside IIS\'s; 0 is none', () => {
  const limits = poolLimits(poolWith('memoryLimit="65536" taskLimit="64"', ''), [0, 1]);
  assert.equal(limits.memoryBytes, 64 * 1024 * 1024);
  assert.equal(limits.tasks, 64);
  const none = poolLimits(poolWith('', ''), [0, 1]);
  assert.equal(none.memoryBytes, null);
  assert.equal(none.tasks, null);
});
