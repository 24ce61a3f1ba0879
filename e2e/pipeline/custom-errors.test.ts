import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSite } from './pipeline-support.js';

test('httpErrors: detailed page for local requests, custom pages where errorMode="Custom", custom files per status', async () => {
  const site = await startSite(
    {
      files: {
        'www/index.html': 'home',
        'www/custom/web.config': `<configuration><system.webServer>
  <httpErrors errorMode="Custom">
    <remove statusCode="404" />
    <error statusCode="404" path="errors/not-found.html" responseMode="File" />
  </httpErrors>
</system.webServer></configuration>`,
        'www/custom/errors/not-found.html': '<h1>Our own 404 page</h1>',
        'www/custom/index.html': 'custom home',
      },
      applications: [
        { path: '/', pool: 'Pool', physicalPath: '{{root}}/www' },
        { path: '/custom', pool: 'Pool', physicalPath: '{{root}}/www/custom' },
      ],
    },
    after,
  );
  // The test client is local (loopback): errorMode DetailedLocalOnly shows IIS's detailed page.
  const local = await site.get('/missing.html');
  assert.equal(local.status, 404);
  assert.equal(local.headers['content-type'], 'text/html');
  assert.match(local.text, /<title>IIS 10\.0 Detailed Error - 404\.0 - Not Found<\/title>/);
  assert.match(local.text, /<th>Module<\/th><td>&nbsp;&nbsp;&nbsp;IIS Web Core<\/td>/);
  assert.match(local.text, /<th>Handler<\/th><td>&nbsp;&nbsp;&nbsp;StaticFile<\/td>/);
  assert.match(local.text, /<th>Error Code<\/th><td>&nbsp;&nbsp;&nbsp;0x80070002<\/td>/);

  // errorMode="Custom" is what remote clients get: the application's own file for 404 …
  const custom = await site.get('/custom/missing.html');
  assert.equal(custom.status, 404);
  assert.equal(custom.text, '<h1>Our own 404 page</h1>');
  // … and IIS's short page for a status without an entry, with no detail leaked.
  const forbidden = await site.get('/custom/errors/');
  assert.equal(forbidden.status, 403);
  assert.match(forbidden.text, /<h2>403 - Forbidden: Access is denied\.<\/h2>/);
  assert.doesNotMatch(forbidden.text, /Detailed Error|Physical Path/);
});
