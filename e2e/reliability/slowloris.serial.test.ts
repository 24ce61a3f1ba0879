import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startPoolhost } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort, httpRequest } from '../support/http.js';
import { pidApp } from '../support/apps.js';
import { sleep, waitFor } from '../support/wait.js';
import { getLoad, statusSummary } from './support/load.js';
import { readHttpErr, rssKiB } from './support/raw-client.js';
import { slowloris } from './support/slow-clients.js';
import { servicePid } from './support/orphans.js';

const SLOW_CONNECTIONS = 200;

test('slowloris: 200 heads dribbled a byte at a time are cut at headerWaitTimeout with Timer_HeaderWait; httpsys RSS stays bounded; other clients are served', async () => {
  const port = await freePort();
  const poolhost = await startPoolhost(
    {
      config: applicationHostConfig({
        pools: [{ name: 'A' }],
        sites: [{ name: 'Site', id: 1, bindings: [`127.0.0.1:${port}:`], applications: [{ path: '/', pool: 'A', physicalPath: '{{root}}/app' }] }],
        webLimits: { headerWaitTimeout: '00:00:02' },
      }),
      files: { 'app/server.js': pidApp },
      waitForPort: port,
    },
    after,
  );
  assert.equal((await httpRequest({ port, path: '/' })).status, 200);
  const httpsys = servicePid(poolhost, 'httpsys')!;
  const rssBefore = rssKiB(httpsys);
  let rssPeak = rssBefore;
  const sampler = setInterval(() => {
    try {
      rssPeak = Math.max(rssPeak, rssKiB(httpsys));
    } catch {
      // gone: asserted below
    }
  }, 100);
  after(() => clearInterval(sampler));

  const load = getLoad(port, 4, (client, sequence) => `/normal/${client}-${sequence}`);
  after(() => load.stop().then(() => undefined));
  await sleep(300);
  const attackStarted = Date.now();
  const servedBefore = load.completed();
  // Two waves, so the second one meets a listener that has already cut off 200 connections.
  const results = [];
  for (let wave = 0; wave < 2; wave++) {
    results.push(...(await Promise.all(Array.from({ length: SLOW_CONNECTIONS }, () => slowloris(port, 50, 8_000)))));
  }
  const attackEnded = Date.now();
  const servedDuring = load.completed() - servedBefore;
  // Every normal client got answers in each quarter of the attack: none waited for the slow heads.
  const starved = load.starved(attackStarted, attackEnded, 4);
  const loadResult = await load.stop();
  clearInterval(sampler);

  const notCut = results.filter((result) => !result.closedByServer);
  assert.deepEqual(notCut.map((result) => result.clientPort), [], 'every slow head was cut off by the server');
  const slowest = Math.max(...results.map((result) => result.elapsedMs));
  const fastest = Math.min(...results.map((result) => result.elapsedMs));
  // HeaderWait 2 s, checked once a second by Node's connection sweep.
  assert.ok(fastest >= 1_900, `cut after ${fastest} ms, before headerWaitTimeout`);
  // The timer fires: generous, since the sweep and the event loop can each be late on a loaded machine.
  assert.ok(slowest <= 2_000 + 5_000, `cut after ${slowest} ms`);
  // HTTP.SYS closes the connection without a response.
  assert.deepEqual(results.filter((result) => result.bytesReceived > 0).map((result) => result.response.slice(0, 40)), []);

  const logDirectory = join(poolhost.root, 'logs', 'HTTPERR');
  await waitFor('an HTTPERR line per slow connection', () => readHttpErr(logDirectory).filter((entry) => entry.reason === 'Timer_HeaderWait').length >= results.length, 5_000);
  const lines = readHttpErr(logDirectory).filter((entry) => entry.reason === 'Timer_HeaderWait');
  const ports = new Set(lines.map((entry) => entry.clientPort));
  assert.deepEqual(results.filter((result) => !ports.has(result.clientPort)).map((result) => result.clientPort), [], 'each slow connection has its Timer_HeaderWait line');
  assert.equal(lines.length, results.length, 'exactly one line each');

  const growthMiB = (rssPeak - rssBefore) / 1024;
  console.log(`slowloris: ${results.length} cut after ${fastest}-${slowest} ms; httpsys RSS ${Math.round(rssBefore / 1024)} MiB -> peak ${Math.round(rssPeak / 1024)} MiB; ${servedDuring} normal requests meanwhile, max latency ${loadResult.maxLatencyMs} ms`);
  assert.ok(growthMiB < 100, `httpsys RSS grew by ${growthMiB.toFixed(1)} MiB`);
  assert.equal(servicePid(poolhost, 'httpsys'), httpsys, 'httpsys never restarted');
  assert.deepEqual(loadResult.failures, [], statusSummary(loadResult));
  assert.deepEqual(starved, [], `normal clients kept being served all through the attack (${servedDuring} requests)`);
});
