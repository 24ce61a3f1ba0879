// httpErrors existingResponse for error responses a Node application writes itself: Replace swaps them
// for IIS's page for that status (status kept), Auto (iisnode's responses carry fTrySkipCustomErrors) and
// PassThrough leave them as written. Successful responses are never touched.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSite } from '../pipeline/pipeline-support.js';

const app = `
module.exports = (req, res) => {
  const status = Number(new URL(req.url, 'http://x').searchParams.get('status') || 200);
  res.statusCode = status;
  res.setHeader('content-type', 'text/plain');
  res.write('the application ');
  res.end('says ' + status);
};
`;

test('existingResponse Replace, Auto and PassThrough for a Node application\'s own error responses', async () => {
  const location = (path: string, mode: string): string =>
    `  <location path="Site/${path}"><system.webServer><httpErrors existingResponse="${mode}" /></system.webServer></location>`;
  const site = await startSite(
    {
      files: { 'replace/server.js': app, 'auto/server.js': app, 'pass/server.js': app },
      applications: [
        { path: '/replace', pool: 'Pool', physicalPath: '{{root}}/replace' },
        { path: '/auto', pool: 'Pool', physicalPath: '{{root}}/auto' },
        { path: '/pass', pool: 'Pool', physicalPath: '{{root}}/pass' },
      ],
      locations: [location('replace', 'Replace'), location('auto', 'Auto'), location('pass', 'PassThrough')].join('\n'),
    },
    after,
  );
  for (const status of [404, 500]) {
    const replaced = await site.get(`/replace/?status=${status}`);
    assert.equal(replaced.status, status);
    assert.match(replaced.text, new RegExp(`<h3>HTTP Error ${status}\\.0 - `), 'IIS\'s page replaces the application\'s');
    assert.doesNotMatch(replaced.text, /the application says/);
    assert.equal(replaced.headers['content-type'], 'text/html');
    assert.equal(Number(replaced.headers['content-length']), replaced.body.length);
    for (const kept of ['auto', 'pass']) {
      const response = await site.get(`/${kept}/?status=${status}`);
      assert.equal(response.status, status);
      assert.equal(response.text, `the application says ${status}`, `${kept}: the application's body`);
    }
  }
  // A success is the application's under Replace too; the connection serves the next request.
  assert.equal((await site.get('/replace/?status=200')).text, 'the application says 200');
  assert.equal((await site.get('/replace/?status=302')).text, 'the application says 302');
});
