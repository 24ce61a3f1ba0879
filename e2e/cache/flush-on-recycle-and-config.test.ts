// A pool recycle (on demand, or for a web.config change) and a change of the site's configuration in
// applicationHost.config flush the URLs they concern; a stopped site or pool does not serve from the cache.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSite } from '../pipeline/pipeline-support.js';
import { waitFor } from '../support/wait.js';
import { cacheState } from './cache-support.js';

test('recycle, web.config change, site configuration change, site stop and pool stop flush; stopped ones answer 404 / 503, not from the cache', async () => {
  const site = await startSite({ files: { 'www/page.txt': 'page', 'www/web.config': '<configuration />\n' } }, after);
  const entries = async (): Promise<number> => (await cacheState(site.poolhost)).entries.length;
  const fill = async (): Promise<void> => {
    for (let i = 0; i < 3; i++) assert.equal((await site.get('/page.txt')).text, 'page');
    await waitFor('the page to be cached', async () => (await entries()) === 1, 5_000);
  };

  await fill();
  const recycled = await site.appcmd('recycle', 'apppool', '/apppool.name:Pool');
  assert.equal(recycled.code, 0, recycled.stderr);
  await waitFor('the recycle to flush the entry', async () => (await entries()) === 0, 10_000);

  await fill();
  writeFileSync(join(site.poolhost.root, 'www', 'web.config'), '<configuration>\n  <system.webServer>\n    <directoryBrowse enabled="false" />\n  </system.webServer>\n</configuration>\n');
  await site.poolhost.waitForEvent(5080, 1, 10_000);
  await waitFor('the configuration recycle to flush the entry', async () => (await entries()) === 0, 10_000);

  await fill();
  const config = readFileSync(site.poolhost.configFile, 'utf8');
  writeFileSync(site.poolhost.configFile, config.replace('</bindings>', '</bindings>\n        <limits connectionTimeout="00:01:30" />'));
  await waitFor('the site change to flush the entry', async () => (await entries()) === 0, 10_000);

  await fill();
  const siteStopped = await site.appcmd('stop', 'site', '/site.name:Site');
  assert.equal(siteStopped.code, 0, siteStopped.stderr);
  await waitFor('the stopped site to flush the entry', async () => (await entries()) === 0, 10_000);
  assert.equal((await site.get('/page.txt')).status, 404, "a stopped site's bindings answer 404, never from the cache");
  assert.equal((await site.appcmd('start', 'site', '/site.name:Site')).code, 0);
  await waitFor('the site to serve again', async () => (await site.get('/page.txt')).status === 200, 10_000);

  await fill();
  const stopped = await site.appcmd('stop', 'apppool', '/apppool.name:Pool');
  assert.equal(stopped.code, 0, stopped.stderr);
  await waitFor('the stopped pool to flush the entry', async () => (await entries()) === 0, 10_000);
  assert.equal((await site.get('/page.txt')).status, 503);
});
