// IIS's reasons a response is not kernel-cached (reference iis-2.md §2.3), each tried three times —
// past frequentHitThreshold — and then looked for in `poolhost http show cachestate`: a query string,
// an Authorization header, POST, Range, a non-200, dynamic compression, a response over
// maxResponseSize, an authenticated location (whose answer must never reach an anonymous client), a
// profile saying DisableCache, a static default document reached through its folder's URL; beside them, the responses that are cached (a static file, a
// CacheForTimePeriod application response, a large static file kept for clients that do not ask for
// compression) so the check can fail.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, scryptSync } from 'node:crypto';
import { startSite } from '../pipeline/pipeline-support.js';
import { cacheState } from './cache-support.js';

const app = `
module.exports = (req, res) => {
  const path = req.url.split('?')[0];
  if (path === '/app/missing') { res.statusCode = 404; }
  const body = path === '/app/big' ? 'b'.repeat(300000) : path === '/app/text' ? 'compressible text '.repeat(200) : 'hello';
  res.setHeader('Content-Type', 'text/plain');
  res.setHeader('Content-Length', Buffer.byteLength(body)); // compression drops it for /app/text
  res.end(body);
};
`;

function credentialLine(user: string, password: string): string {
  const salt = randomBytes(16);
  return `${user}:scrypt:${salt.toString('base64')}:${scryptSync(password, salt, 64).toString('base64')}`;
}

test('each not-cacheable request or response stays out of the kernel cache; cacheable ones go in', async () => {
  const site = await startSite(
    {
      files: {
        'www/static.txt': 'static',
        'www/index.html': 'home',
        'www/query.txt': 'query',
        'www/ranged.txt': 'ranged file',
        'www/authorized.txt': 'authorized',
        'www/secure/secret.txt': 'secret',
        'www/nocache.dat': 'nocache',
        'www/large.txt': 'compressible static text '.repeat(200),
        'app/server.js': app,
        'users.txt': `${credentialLine('alice', 'wonderland')}\n`,
      },
      applications: [
        { path: '/', pool: 'Pool', physicalPath: '{{root}}/www' },
        { path: '/app', pool: 'Pool', physicalPath: '{{root}}/app' },
      ],
      webServer: `    <staticContent><mimeMap fileExtension=".dat" mimeType="application/octet-stream" /></staticContent>
    <caching>
      <profiles>
        <add extension=".dat" kernelCachePolicy="DisableCache" />
        <add extension="*" kernelCachePolicy="CacheForTimePeriod" duration="00:01:00" />
      </profiles>
    </caching>`,
      locations: `  <location path="Site/secure">
    <system.webServer>
      <security><authentication>
        <anonymousAuthentication enabled="false" />
        <basicAuthentication enabled="true" realm="cache test" credentialsFile="{{root}}/users.txt" />
      </authentication></security>
    </system.webServer>
  </location>`,
    },
    after,
  );
  const alice = { authorization: `Basic ${Buffer.from('alice:wonderland').toString('base64')}` };
  const thrice = async (path: string, expected: number, options: Parameters<typeof site.get>[1] = {}): Promise<void> => {
    for (let i = 0; i < 3; i++) assert.equal((await site.get(path, options)).status, expected, `${options.method ?? 'GET'} ${path}`);
  };
  await thrice('/static.txt', 200);
  await thrice('/app/hello', 200);
  await thrice('/query.txt?x=1', 200);
  await thrice('/app/hello?x=1', 200);
  await thrice('/authorized.txt', 200, { headers: alice });
  await thrice('/app/post', 200, { method: 'POST', body: 'x' });
  await thrice('/ranged.txt', 206, { headers: { range: 'bytes=0-3' } });
  await thrice('/app/missing', 404);
  await thrice('/app/text', 200, { headers: { 'accept-encoding': 'gzip' } });
  assert.equal((await site.get('/app/text', { headers: { 'accept-encoding': 'gzip' } })).headers['content-encoding'], 'gzip');
  await thrice('/app/big', 200);
  await thrice('/secure/secret.txt', 200, { headers: alice });
  await thrice('/nocache.dat', 200);
  await thrice('/', 200); // index.html as the folder's default document
  // Cached uncompressed for clients that did not ask for compression; one that asks gets the worker's gzip.
  await thrice('/large.txt', 200);
  const gzipped = await site.get('/large.txt', { headers: { 'accept-encoding': 'gzip' } });
  assert.equal(gzipped.headers['content-encoding'], 'gzip');
  assert.equal((await site.get('/large.txt')).headers['content-encoding'], undefined);

  const base = `http://127.0.0.1:${site.port}`;
  const { entries } = await cacheState(site.poolhost);
  assert.deepEqual(entries.map((entry) => entry.URL).sort(), [`${base}/app/hello`, `${base}/large.txt`, `${base}/static.txt`]);
  assert.equal(entries.find((entry) => entry.URL === `${base}/large.txt`)!['Hit count'], '2', 'the gzip request was not a hit');
  const hello = entries.find((entry) => entry.URL === `${base}/app/hello`)!;
  assert.equal(hello['Cache policy type'], 'Time to live');
  assert.equal(hello['Time to live'], '60');
  // The authenticated answer was never stored: an anonymous client is challenged, not served.
  assert.equal((await site.get('/secure/secret.txt')).status, 401);
  // A cached URL with a query string or Authorization is not answered from the cache either.
  assert.equal(entries.find((entry) => entry.URL === `${base}/static.txt`)!['Hit count'], '1');
  await site.get('/static.txt?x=2');
  await site.get('/static.txt', { headers: alice });
  await site.get('/static.txt', { headers: { range: 'bytes=0-1' } });
  const after3 = (await cacheState(site.poolhost)).entries.find((entry) => entry.URL === `${base}/static.txt`)!;
  assert.equal(after3['Hit count'], '1');
});
