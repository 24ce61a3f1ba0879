// Application Initialization: an application with preloadEnabled="true" gets IIS's preload request and
// its <applicationInitialization> pages before the worker takes any traffic — on the first start, and
// in an overlapped recycle, where the old worker serves until the new one is warm.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPoolhost } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort, httpRequest } from '../support/http.js';
import { recycle } from '../recycling/recycling-support.js';

// Answers "cold" until its warm-up page has run (which takes WARM_MS), then "warm <pid>"; /seen lists what it was asked.
const app = `
const seen = [];
let warm = false;
module.exports = (req, res) => {
  if (req.url === '/seen') return res.end(JSON.stringify(seen));
  seen.push({ url: req.url, agent: req.headers['user-agent'], host: req.headers.host, warmingUp: req.serverVariables.APP_WARMING_UP });
  if (req.url === '/warm') return setTimeout(() => { warm = true; res.end('warmed'); }, Number(process.env.WARM_MS || 0));
  res.end(warm ? 'warm ' + process.pid : 'cold');
};
`;

const webConfig = `<?xml version="1.0"?>
<configuration>
  <system.webServer>
    <applicationInitialization>
      <add initializationPage="/warm" hostName="warmup.example.test" />
    </applicationInitialization>
  </system.webServer>
</configuration>
`;

async function startWarmedSite(warmMs: number) {
  const port = await freePort();
  const config = applicationHostConfig({
    pools: [{ name: 'Warm', environmentVariables: { WARM_MS: String(warmMs) } }],
    sites: [{ name: 'Site', id: 1, bindings: [`127.0.0.1:${port}:`], applications: [{ path: '/', pool: 'Warm', physicalPath: '{{root}}/app', attributes: { preloadEnabled: 'true' } }] }],
  });
  const poolhost = await startPoolhost({ config, files: { 'app/server.js': app, 'app/web.config': webConfig }, waitForPort: port }, after);
  return { poolhost, port };
}

test('preloadEnabled: the preload request and the warm-up pages run, with IIS user agents and APP_WARMING_UP=1, before the first client request', async () => {
  const { port } = await startWarmedSite(500);
  const first = await httpRequest({ port, path: '/hello' });
  assert.match(first.text, /^warm \d+$/, 'the first client request is answered by a warm application');
  const seen = JSON.parse((await httpRequest({ port, path: '/seen' })).text) as Array<{ url: string; agent: string; host: string; warmingUp: string }>;
  assert.deepEqual(seen[0], { url: '/', agent: 'IIS Application Initialization Preload', host: 'localhost', warmingUp: '1' });
  assert.deepEqual(seen[1], { url: '/warm', agent: 'IIS Application Initialization Warmup', host: 'warmup.example.test', warmingUp: '1' });
  assert.equal(seen[2]!.url, '/hello');
  assert.equal(seen[2]!.warmingUp, '', 'a client request is not a warm-up request');
});

test('an overlapped recycle switches traffic to the new worker only once it is warm: no request fails, none is answered cold', async () => {
  const { poolhost, port } = await startWarmedSite(2_000);
  const before = (await httpRequest({ port, path: '/' })).text;
  assert.match(before, /^warm \d+$/);
  const answers: string[] = [];
  let failures = 0;
  let running = true;
  const clients = Array.from({ length: 4 }, async () => {
    while (running) {
      try {
        answers.push((await httpRequest({ port, path: '/' })).text);
      } catch {
        failures++;
      }
    }
  });
  await recycle(poolhost, 'Warm');
  await poolhost.waitForEvent(5079, 1, 15_000);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && (answers.length === 0 || answers.at(-1) === before)) await new Promise((resolve) => setTimeout(resolve, 100));
  // Read before the clients stop: a request the old worker still had (it drains once the new one is ready)
  // may be answered after the new worker's first answers, and be the last one in the list.
  const lastBeforeStop = answers.at(-1);
  running = false;
  await Promise.all(clients);
  assert.equal(failures, 0);
  assert.ok(!answers.includes('cold'), 'no client request reached the new worker before its warm-up finished');
  const wasSaid = poolhost.logLines.filter((line) => line.service === 'was' && /worker|recycl|initialization/.test(String(line.msg))).map((line) => line.msg);
  assert.ok(lastBeforeStop !== undefined && lastBeforeStop !== before, `the new worker took over (last answer ${lastBeforeStop}); was said: ${wasSaid.join(' | ')}`);
});
