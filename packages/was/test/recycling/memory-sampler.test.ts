import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryFromProcStatus, procMemorySampler } from '../../src/recycling/memory-sampler.js';

const status = `Name:\tnode
VmPeak:\t 1200000 kB
VmSize:\t 1100000 kB
VmRSS:\t   60000 kB
RssAnon:\t   40000 kB
RssFile:\t   20000 kB
VmSwap:\t    1500 kB
Threads:\t11
`;

test('virtual bytes are VmSize; private bytes are RssAnon + VmSwap', () => {
  assert.deepEqual(memoryFromProcStatus(status), { virtualKb: 1_100_000, privateKb: 41_500 });
  assert.equal(memoryFromProcStatus('Name:\tkthreadd\n'), null);
});

test('the sampler reads a live process', async () => {
  const sample = await procMemorySampler.sample(process.pid);
  assert.ok(sample.privateKb > 1_000);
  assert.ok((sample.virtualKb ?? 0) > sample.privateKb);
});
