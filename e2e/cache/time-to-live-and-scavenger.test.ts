// An application's responses under caching profiles: CacheForTimePeriod expires after `duration`,
// CacheUntilChange lasts until the file at the URL changes; an entry not hit for UriScavengerPeriod is
// flushed. The application counts the requests it sees, so a cached answer is the old number.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startPoolhost } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort, httpRequest } from '../support/http.js';
import { waitFor } from '../support/wait.js';
import { cacheState } from './cache-support.js';

const countingApp = `
let count = 0;
require('http').createServer((req, res) => {
  const body = String(++count);
  res.setHeader('Content-Length', body.length);
  res.end(body);
}).listen(process.env.PORT);
`;

test('CacheForTimePeriod expires, CacheUntilChange follows its file, UriScavengerPeriod flushes idle entries', async () => {
  const port = await freePort();
  const config = applicationHostConfig({
    pools: [{ name: 'Counting' }],
    sites: [{ name: 'Site', id: 1, bindings: [`127.0.0.1:${port}:`], applications: [{ path: '/', pool: 'Counting', physicalPath: '{{root}}/app' }] }],
    httpSys: { uriScavengerPeriod: '10' },
  }).replace(
    '</configuration>',
    `  <system.webServer>
    <caching>
      <profiles>
        <add extension=".ttl" kernelCachePolicy="CacheForTimePeriod" duration="00:00:10" />
        <add extension=".data" kernelCachePolicy="CacheUntilChange" />
      </profiles>
    </caching>
  </system.webServer>
</configuration>`,
  );
  const poolhost = await startPoolhost({ config, files: { 'app/server.js': countingApp, 'app/watched.data': 'v1', 'app/idle.data': 'idle' }, waitForPort: port }, after);
  const get = async (path: string): Promise<number> => Number((await httpRequest({ port, path })).text);
  const cached = async (path: string): Promise<boolean> => (await cacheState(poolhost)).entries.some((entry) => entry.URL === `http://127.0.0.1:${port}${path}`);

  // CacheForTimePeriod: the second answer is kept for 10 s (long enough to ask cachestate on a loaded machine).
  await get('/a.ttl');
  const stored = await get('/a.ttl');
  assert.equal(await get('/a.ttl'), stored);
  assert.equal((await cacheState(poolhost)).entries.find((entry) => entry.URL.endsWith('/a.ttl'))?.['Time to live'], '10');
  await new Promise((resolve) => setTimeout(resolve, 10_500));
  assert.ok((await get('/a.ttl')) > stored, 'expired after its duration');

  // CacheUntilChange: kept until app/watched.data changes.
  await get('/watched.data');
  const kept = await get('/watched.data');
  assert.equal(await get('/watched.data'), kept);
  assert.equal((await cacheState(poolhost)).entries.find((entry) => entry.URL.endsWith('/watched.data'))!['Cache policy type'], 'User invalidates');
  writeFileSync(join(poolhost.root, 'app', 'watched.data'), 'v2');
  await waitFor('the changed file to flush its entry', async () => !(await cached('/watched.data')), 5_000);
  assert.ok((await get('/watched.data')) > kept);
  // A URL without a file has nothing to watch: not cached (NO_CACHE_INVALIDATOR).
  for (let i = 0; i < 3; i++) await get('/nofile.data');
  assert.equal(await cached('/nofile.data'), false);

  // UriScavengerPeriod 10 s: an entry nobody asks for goes.
  await get('/idle.data');
  await get('/idle.data');
  assert.ok(await cached('/idle.data'));
  await waitFor('the scavenger to flush the idle entry', async () => !(await cached('/idle.data')), 20_000, 500);
});
