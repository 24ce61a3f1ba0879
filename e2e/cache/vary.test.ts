// Responses that vary by request (a caching profile's varyByHeaders / varyByQueryString, or a response's
// own `Vary`) stay out of the kernel cache: HTTP.SYS keys an entry by URL alone, so a cached answer
// would go to clients it was not made for. Seen as a user sees it, with curl: each Accept-Language gets
// its own answer on every request, and `cachestate` holds no entry for those URLs — while a profile
// without a vary attribute is cached (the control). A user-mode `policy` is reported as not honoured.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPoolhost } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort } from '../support/http.js';
import { run } from '../support/tls-clients.js';
import { cacheState } from './cache-support.js';

// Answers in the client's language, with the number of requests it has seen (a cached answer repeats it).
const languageApp = `
let count = 0;
require('http').createServer((req, res) => {
  const language = String(req.headers['accept-language'] ?? 'en').slice(0, 2);
  const body = (language === 'de' ? 'Alle Rechte vorbehalten ' : 'All rights reserved ') + String(++count);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  if (req.url.endsWith('.negotiated')) res.setHeader('Vary', 'Accept-Language');
  res.end(body);
}).listen(process.env.PORT);
`;

test('a profile with varyByHeaders or varyByQueryString, or a response with Vary, is not kernel-cached; other profiles are', async () => {
  const port = await freePort();
  const config = applicationHostConfig({
    pools: [{ name: 'Languages' }, { name: 'Files' }],
    sites: [
      {
        name: 'Site',
        id: 1,
        bindings: [`127.0.0.1:${port}:`],
        applications: [
          { path: '/', pool: 'Languages', physicalPath: '{{root}}/app' },
          { path: '/files', pool: 'Files', physicalPath: '{{root}}/files' },
        ],
      },
    ],
  }).replace(
    '</configuration>',
    `  <system.webServer>
    <caching>
      <profiles>
        <add extension=".lang" kernelCachePolicy="CacheForTimePeriod" duration="00:01:00" varyByHeaders="Accept-Language" />
        <add extension=".negotiated" kernelCachePolicy="CacheForTimePeriod" duration="00:01:00" />
        <add extension=".plain" kernelCachePolicy="CacheForTimePeriod" duration="00:01:00" />
        <add extension=".txt" varyByQueryString="*" />
        <add extension=".user" policy="CacheUntilChange" />
      </profiles>
    </caching>
  </system.webServer>
</configuration>`,
  );
  const poolhost = await startPoolhost({ config, files: { 'app/server.js': languageApp, 'files/static.txt': 'static text', 'files/other.htm': 'other' }, waitForPort: port }, after);
  const curl = async (path: string, language: string): Promise<string> => {
    const result = await run('curl', ['-sS', '-H', `Accept-Language: ${language}`, `http://127.0.0.1:${port}${path}`], '', 30_000);
    assert.equal(result.code, 0, result.stderr);
    return result.stdout;
  };
  const entries = async (): Promise<string[]> => (await cacheState(poolhost)).entries.map((entry) => entry.URL!);

  // varyByHeaders="Accept-Language": frequently hit in English, then asked in German — German, from the app.
  const english = [await curl('/copyright.lang', 'en-US'), await curl('/copyright.lang', 'en-US'), await curl('/copyright.lang', 'en-US')];
  assert.deepEqual(english, ['All rights reserved 1', 'All rights reserved 2', 'All rights reserved 3'], 'every request reached the application');
  assert.equal(await curl('/copyright.lang', 'de-DE'), 'Alle Rechte vorbehalten 4');

  // The application's own Vary: Accept-Language under a profile that would cache it.
  await curl('/copyright.negotiated', 'en-US');
  await curl('/copyright.negotiated', 'en-US');
  assert.equal(await curl('/copyright.negotiated', 'de-DE'), 'Alle Rechte vorbehalten 7');

  // A static file whose profile varies by query string: served, never cached.
  for (let i = 0; i < 3; i++) assert.equal(await curl('/files/static.txt', 'en'), 'static text');

  // Controls: a static file without a varying profile is cached; so is the same policy without a vary attribute,
  // which then answers everyone alike.
  for (let i = 0; i < 3; i++) assert.equal(await curl('/files/other.htm', 'en'), 'other');
  await curl('/copyright.plain', 'en-US');
  const stored = await curl('/copyright.plain', 'en-US');
  assert.equal(stored, 'All rights reserved 9');
  assert.equal(await curl('/copyright.plain', 'de-DE'), stored, 'a URL-keyed entry answers every language the same');

  const urls = await entries();
  assert.deepEqual(urls.sort(), [`http://127.0.0.1:${port}/copyright.plain`, `http://127.0.0.1:${port}/files/other.htm`], `only the non-varying URLs are cached: ${urls.join(', ')}`);

  // A user-mode output cache policy is not honoured, and the log says so (each worker, once).
  assert.ok(
    poolhost.logLines.some((line) => String(line.msg).startsWith('caching profiles .user policy="CacheUntilChange": poolhost has no user-mode output cache')),
    'the user-mode policy is reported',
  );
});
