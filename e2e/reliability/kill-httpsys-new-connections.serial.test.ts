// The port never closes: poolhost holds the listening socket, so while httpsys is dead and restarting
// new connections wait in the kernel's backlog and are served by the next httpsys — none is refused.
// Serial: eight clients open connections back to back through two httpsys kills and restarts.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPoolhost } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort, httpRequest } from '../support/http.js';
import { pidApp } from '../support/apps.js';
import { waitFor } from '../support/wait.js';
import { orphanedWorkers, servicePid } from './support/orphans.js';

interface Outcome {
  client: number;
  startedAt: number;
  endedAt: number;
  status: number;
  /** The client's error code: ECONNREFUSED, ECONNRESET… */
  error?: string;
}

const clients = 8;
const kills = 2;

test('SIGKILL of httpsys under a stream of new connections: none is refused, only requests the killed httpsys had accepted fail, the rest are served', async () => {
  const port = await freePort();
  const poolhost = await startPoolhost(
    {
      config: applicationHostConfig({
        pools: [{ name: 'A', failure: { rapidFailProtectionMaxCrashes: '2' } }],
        sites: [{ name: 'Site', id: 1, bindings: [`127.0.0.1:${port}:`], applications: [{ path: '/', pool: 'A', physicalPath: '{{root}}/app' }] }],
      }),
      files: { 'app/server.js': pidApp },
      waitForPort: port,
    },
    after,
  );
  assert.equal((await httpRequest({ port, path: '/' })).status, 200);

  // Each client: one request per connection (no agent: `Connection: close`), back to back.
  const outcomes: Outcome[] = [];
  let running = true;
  const loops = Array.from({ length: clients }, async (_, client) => {
    while (running) {
      const startedAt = Date.now();
      try {
        const response = await httpRequest({ port, path: `/?client=${client}`, timeoutMs: 60_000 });
        outcomes.push({ client, startedAt, endedAt: Date.now(), status: response.status });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? String(error);
        outcomes.push({ client, startedAt, endedAt: Date.now(), status: 0, error: code });
      }
    }
  });
  const servedSince = (time: number): number => outcomes.filter((outcome) => outcome.status === 200 && outcome.startedAt > time).length;

  const killedAt: number[] = [];
  const outages: { from: number; to: number }[] = [];
  try {
    await waitFor('the clients to be served', () => servedSince(0) >= 50, 30_000);
    for (let round = 0; round < kills; round++) {
      const oldHttpsys = servicePid(poolhost, 'httpsys')!;
      const killed = Date.now();
      process.kill(oldHttpsys, 'SIGKILL');
      killedAt.push(killed);
      await waitFor('a new httpsys', () => (servicePid(poolhost, 'httpsys') ?? oldHttpsys) !== oldHttpsys, 15_000);
      // Served again: requests that started after the kill come back 200 (from the new httpsys).
      await waitFor('requests made after the kill to be served', () => servedSince(killed) >= 50, 60_000);
      const firstServed = Math.min(...outcomes.filter((outcome) => outcome.status === 200 && outcome.startedAt > killed).map((outcome) => outcome.endedAt));
      outages.push({ from: killed, to: firstServed });
    }
  } finally {
    running = false;
    await Promise.all(loops);
  }

  const refused = outcomes.filter((outcome) => outcome.error === 'ECONNREFUSED');
  const failed = outcomes.filter((outcome) => outcome.status !== 200);
  const waited = outcomes.filter((outcome) => outcome.status === 200 && outages.some((outage) => outcome.startedAt > outage.from && outcome.startedAt < outage.to));
  const errors = new Map<string, number>();
  for (const outcome of failed) errors.set(outcome.error ?? String(outcome.status), (errors.get(outcome.error ?? String(outcome.status)) ?? 0) + 1);
  console.log(
    `${outcomes.length} requests, ${failed.length} failed (${[...errors].map(([error, count]) => `${error} x${count}`).join(', ') || 'none'}), ` +
      `${waited.length} connected while httpsys was down and were served; outages ${outages.map((outage) => `${outage.to - outage.from} ms`).join(', ')}`,
  );

  assert.equal(refused.length, 0, `${refused.length} connections refused (the port closed while httpsys was down)`);
  // Only a request on a connection the killed httpsys had accepted can fail: at most one per client per kill.
  for (let client = 0; client < clients; client++) {
    const ofClient = failed.filter((outcome) => outcome.client === client);
    assert.ok(ofClient.length <= kills, `client ${client} failed ${ofClient.length} times: ${JSON.stringify(ofClient)}`);
    for (const outcome of ofClient) {
      assert.equal(outcome.status, 0, `a failure is a reset connection, not an answer: ${JSON.stringify(outcome)}`);
      assert.ok(killedAt.some((time) => outcome.startedAt <= time && outcome.endedAt >= time), `failed request was in flight at a kill: ${JSON.stringify(outcome)}`);
    }
  }
  // Connections made while no httpsys was running waited in the backlog and were answered.
  assert.ok(waited.length > 0, 'some requests connected during an outage and were served');
  assert.deepEqual(orphanedWorkers(poolhost), []);
  assert.equal(poolhost.events(5002).length, 0, 'rapid-fail protection was not tripped');
});
