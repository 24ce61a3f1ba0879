import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSite } from './pipeline-support.js';

test('folders: 301 to the trailing slash, the first default document, 403.14 without one, a listing where directoryBrowse is on', async () => {
  const site = await startSite(
    {
      files: {
        'www/docs/index.htm': 'index.htm wins over index.html',
        'www/docs/index.html': 'not this one',
        'www/empty/readme.txt': 'no default document here',
        'www/browse/web.config': '<configuration><system.webServer><directoryBrowse enabled="true" /></system.webServer></configuration>',
        'www/browse/a.txt': 'a',
        'www/browse/sub/b.txt': 'b',
      },
      applications: [
        { path: '/', pool: 'Pool', physicalPath: '{{root}}/www' },
        { path: '/browse', pool: 'Pool', physicalPath: '{{root}}/www/browse' },
      ],
    },
    after,
  );
  const moved = await site.get('/docs?x=1');
  assert.equal(moved.status, 301);
  assert.equal(moved.headers.location, '/docs/?x=1');
  assert.equal((await site.get('/docs/')).text, 'index.htm wins over index.html');

  const denied = await site.get('/empty/');
  assert.equal(denied.status, 403);
  assert.match(denied.text, /HTTP Error 403\.14 - Forbidden/);

  const listing = await site.get('/browse/');
  assert.equal(listing.status, 200);
  assert.match(listing.text, /<A HREF="\/browse\/a\.txt">a\.txt<\/A>/);
  assert.match(listing.text, /&lt;dir&gt; <A HREF="\/browse\/sub\/">sub<\/A>/);
  assert.doesNotMatch(listing.text, /web\.config/);
  assert.match((await site.get('/browse/sub/')).text, /\[To Parent Directory\]/);
});
