import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { sleep } from '../support/wait.js';
import { getLoad, statusSummary } from './support/load.js';
import { rssKiB } from './support/raw-client.js';
import { startStreamingInstance } from './support/streaming-instance.js';
import { pipelineFlood } from './support/slow-clients.js';
import { servicePid } from './support/orphans.js';

// High, so that a reader is noticed within seconds: the kernel takes the first ~4 MiB of a response at
// once on loopback and, as in HTTP.SYS, those bytes count as sent (see reliability.md).
const MIN_BYTES_PER_SECOND = 2_000_000;


async function floodRun(floodPath: string, connections: number) {
  const { port, poolhost } = await startStreamingInstance(MIN_BYTES_PER_SECOND);
  const httpsys = servicePid(poolhost, 'httpsys')!;
  const rssBefore = rssKiB(httpsys);
  const samples: { at: number; rss: number }[] = [];
  const sampler = setInterval(() => {
    try {
      samples.push({ at: Date.now(), rss: rssKiB(httpsys) });
    } catch {
      // gone: asserted below
    }
  }, 100);
  after(() => clearInterval(sampler));
  const load = getLoad(port, 2, (client, sequence) => `/other/${client}-${sequence}`);
  after(() => load.stop().then(() => undefined));
  await sleep(500);
  const started = Date.now();
  const servedBefore = load.completed();
  const flooded = await Promise.all(Array.from({ length: connections }, () => pipelineFlood(port, floodPath, 50_000, 5_000)));
  const servedDuring = load.completed() - servedBefore;
  // Each other client got answers in every quarter of the flood: not starved, whatever the machine's speed.
  const starved = load.starved(started, Date.now(), 4);
  const loadResult = await load.stop();
  clearInterval(sampler);
  const peak = Math.max(rssBefore, ...samples.map((sample) => sample.rss));
  console.log(`pipelined flood of ${floodPath} on ${connections} connections: ${flooded.map((flood) => `${flood.requestsWritten} written`).join(', ')}; httpsys RSS ${Math.round(rssBefore / 1024)} MiB -> peak ${Math.round(peak / 1024)} MiB in ${Date.now() - started} ms; ${servedDuring} other requests meanwhile, max ${loadResult.maxLatencyMs} ms`);
  assert.equal(servicePid(poolhost, 'httpsys'), httpsys, 'httpsys never restarted');
  assert.deepEqual(loadResult.failures, [], statusSummary(loadResult));
  assert.deepEqual(starved, [], `the other clients kept being served all through the flood (${servedDuring} requests)`);
  return { growthMiB: (peak - rssBefore) / 1024 };
}

test('pipelined floods of 1 MiB downloads that are never read: httpsys RSS stays bounded (< 100 MiB growth), another client is not starved', async () => {
  const { growthMiB } = await floodRun('/download?mb=1', 4);
  assert.ok(growthMiB < 100, `httpsys RSS grew by ${growthMiB.toFixed(1)} MiB`);
});

// Small answers fit the kernel's buffers by the ten thousand (~10 MB on loopback), so this flood is
// served at full speed for the whole run, like a fast client: what grows is V8's heap under that load,
// not a backlog (held requests stay bounded as above).
test('a pipelined flood of small requests that is never read: another client is not starved, httpsys RSS < 200 MiB growth', async () => {
  const { growthMiB } = await floodRun('/flood', 1);
  assert.ok(growthMiB < 200, `httpsys RSS grew by ${growthMiB.toFixed(1)} MiB`);
});
