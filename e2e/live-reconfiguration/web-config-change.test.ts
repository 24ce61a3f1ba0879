import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startPoolhost } from '../support/poolhost-instance.js';
import { freePort } from '../support/http.js';
import { pidApp } from '../support/apps.js';
import { waitFor } from '../support/wait.js';
import { pidOf, singlePoolConfig } from '../recycling/recycling-support.js';

test("a changed web.config recycles its application's pool (5080); a broken one is logged and recycles nothing", async () => {
  const port = await freePort();
  const poolhost = await startPoolhost(
    { config: singlePoolConfig(port, { name: 'Content' }), files: { 'app/server.js': pidApp, 'app/web.config': '<configuration />\n' }, waitForPort: port },
    after,
  );
  const before = await pidOf(port);
  writeFileSync(join(poolhost.root, 'app', 'web.config'), '<configuration>\n  <system.webServer>\n    <directoryBrowse enabled="false" />\n  </system.webServer>\n</configuration>\n');
  // A reload, then the replacement worker's start (a Node process: seconds on a loaded 2-core machine).
  await poolhost.waitForEvent(5080, 1, 15_000);
  await waitFor('a new worker to answer', async () => (await pidOf(port)) !== before, 30_000);
  const recycled = await pidOf(port);

  writeFileSync(join(poolhost.root, 'app', 'web.config'), '<configuration>\n  <system.webServer>\n</configuration>\n');
  await waitFor('the broken web.config to be logged', () => poolhost.logLines.some((line) => line.configError !== undefined), 15_000);
  const line = poolhost.logLines.find((entry) => entry.configError !== undefined)!;
  assert.match(String(line.msg), /web\.config:\d+:\d+: /);
  assert.equal(await pidOf(port), recycled, 'the worker keeps the configuration it loaded');
  assert.equal(poolhost.events(5080).length, 1);
});
