import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { startSite } from './pipeline-support.js';

const big = 'poolhost compresses what the client accepts. '.repeat(200);

test('static and dynamic responses are compressed with br or gzip as Accept-Encoding asks', async () => {
  const site = await startSite(
    {
      files: {
        'www/static/big.txt': big,
        'www/static/small.txt': 'tiny',
        'www/app/server.js': `module.exports = (req, res) => { res.setHeader('content-type', 'text/plain'); res.end(${JSON.stringify(big)}); };`,
      },
      applications: [
        { path: '/', pool: 'Pool', physicalPath: '{{root}}/www/static' },
        { path: '/app', pool: 'Pool', physicalPath: '{{root}}/www/app' },
      ],
    },
    after,
  );
  const gzip = await site.get('/big.txt', { headers: { 'accept-encoding': 'gzip' } });
  assert.equal(gzip.headers['content-encoding'], 'gzip');
  assert.equal(gunzipSync(gzip.body).toString(), big);
  assert.ok(gzip.body.length < big.length / 5);

  const br = await site.get('/big.txt', { headers: { 'accept-encoding': 'gzip, deflate, br' } });
  assert.equal(br.headers['content-encoding'], 'br');
  assert.equal(brotliDecompressSync(br.body).toString(), big);

  const identity = await site.get('/big.txt');
  assert.equal(identity.headers['content-encoding'], undefined);
  assert.equal(identity.text, big);
  assert.equal((await site.get('/small.txt', { headers: { 'accept-encoding': 'gzip' } })).headers['content-encoding'], undefined, 'below minFileSizeForComp');

  const dynamic = await site.get('/app/hello', { headers: { 'accept-encoding': 'gzip' } });
  assert.equal(dynamic.headers['content-encoding'], 'gzip');
  assert.equal(gunzipSync(dynamic.body).toString(), big);
  const dynamicBr = await site.get('/app/hello', { headers: { 'accept-encoding': 'br' } });
  assert.equal(brotliDecompressSync(dynamicBr.body).toString(), big);
});
