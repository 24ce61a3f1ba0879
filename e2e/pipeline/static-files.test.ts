import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSite } from './pipeline-support.js';

test('static files: MIME types from staticContent, ETag/Last-Modified with 304, Range with 206, 404.3 and 405', async () => {
  const site = await startSite(
    {
      files: {
        'www/style.css': 'body { color: red }',
        'www/data.json': '{"a":1}',
        'www/app.mjs': 'export {}',
        'www/digits.txt': '0123456789',
        'www/archive.unknownext': 'x',
      },
      webServer: '    <staticContent><mimeMap fileExtension=".custom" mimeType="application/x-custom" /></staticContent>',
    },
    after,
  );
  assert.equal((await site.get('/style.css')).headers['content-type'], 'text/css');
  assert.equal((await site.get('/data.json')).headers['content-type'], 'application/json');
  assert.equal((await site.get('/app.mjs')).headers['content-type'], 'text/javascript');

  const first = await site.get('/digits.txt');
  assert.equal(first.status, 200);
  assert.equal(first.text, '0123456789');
  const etag = String(first.headers.etag);
  assert.ok(etag && first.headers['last-modified']);
  assert.equal((await site.get('/digits.txt', { headers: { 'if-none-match': etag } })).status, 304);
  assert.equal((await site.get('/digits.txt', { headers: { 'if-modified-since': String(first.headers['last-modified']) } })).status, 304);

  const range = await site.get('/digits.txt', { headers: { range: 'bytes=2-5' } });
  assert.equal(range.status, 206);
  assert.equal(range.text, '2345');
  assert.equal(range.headers['content-range'], 'bytes 2-5/10');
  assert.equal((await site.get('/digits.txt', { headers: { range: 'bytes=50-60' } })).status, 416);

  const unknown = await site.get('/archive.unknownext');
  assert.equal(unknown.status, 404);
  assert.match(unknown.text, /HTTP Error 404\.3/);
  const post = await site.get('/digits.txt', { method: 'POST', body: 'x' });
  assert.equal(post.status, 405);
  assert.match(String(post.headers.allow), /GET, HEAD/);
  const head = await site.get('/digits.txt', { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.headers['content-length'], '10');
  assert.equal(head.text, '');
});
