import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Agent } from 'node:http';
import { startPoolhost } from '../support/poolhost-instance.js';
import { freePort, httpRequest } from '../support/http.js';
import { streamingApp } from '../support/apps.js';
import { waitFor } from '../support/wait.js';
import { recycle, singlePoolConfig, workerPids } from './recycling-support.js';

test('ten consecutive overlapped recycles under continuous load complete with zero failed requests', async () => {
  const port = await freePort();
  const poolhost = await startPoolhost(
    { config: singlePoolConfig(port, { name: 'Busy', processModel: { shutdownTimeLimit: '00:00:10' } }), files: { 'app/server.js': streamingApp }, waitForPort: port },
    after,
  );
  const counts = { get: 0, post: 0, keepAlive: 0, newConnection: 0, failed: 0 };
  const failures: string[] = [];
  let running = true;

  // Each client loops: keep-alive clients reuse one connection, the others open a new one per request.
  const client = async (index: number) => {
    const keepAlive = index % 2 === 0;
    const agent = keepAlive ? new Agent({ keepAlive: true, maxSockets: 1 }) : false;
    let round = 0;
    while (running) {
      const post = (index + round++) % 2 === 0;
      const body = post ? randomBytes(16 * 1024 + ((index * 7919 + round) % 50_000)) : undefined;
      try {
        const response = await httpRequest({ port, path: `/echo/${index}/${round}`, method: post ? 'POST' : 'GET', agent, ...(body ? { body } : {}) });
        const expected = { bytes: body?.length ?? 0, sha256: createHash('sha256').update(body ?? Buffer.alloc(0)).digest('hex') };
        if (response.status !== 200 || response.text !== JSON.stringify(expected)) throw new Error(`${response.status} ${response.text.slice(0, 120)}`);
        counts[post ? 'post' : 'get']++;
        counts[keepAlive ? 'keepAlive' : 'newConnection']++;
      } catch (error) {
        counts.failed++;
        failures.push(`client ${index}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (agent) agent.destroy();
  };
  await httpRequest({ port, path: '/warm-up' });
  const clients = Array.from({ length: 6 }, (_, index) => client(index));

  const seen: number[] = [];
  for (let cycle = 0; cycle < 10; cycle++) {
    const [current] = await workerPids(poolhost, 'Busy');
    assert.ok(current, 'a worker is running');
    seen.push(current);
    await recycle(poolhost, 'Busy');
    await waitFor(`recycle ${cycle + 1} to replace worker ${current}`, async () => {
      const pids = await workerPids(poolhost, 'Busy');
      return pids.length === 1 && pids[0] !== current;
    }, 20_000, 50);
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
  running = false;
  await Promise.all(clients);
  const total = counts.get + counts.post;
  console.log(
    `recycle under load: 10 recycles, ${total} requests succeeded (${counts.get} GET, ${counts.post} POST; ${counts.keepAlive} keep-alive, ${counts.newConnection} new connections), ${counts.failed} failed`,
  );
  assert.deepEqual(failures, [], 'no request failed');
  assert.equal(poolhost.events(5079).length, 10);
  assert.equal(new Set(seen).size, 10, 'every recycle produced a new worker');
  assert.ok(total > 100, `enough load was applied (${total} requests)`);
});
