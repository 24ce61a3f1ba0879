import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSite, requireDependency } from '../pipeline/pipeline-support.js';

test('two applications in one pool run in one worker, each getting only its own requests', async () => {
  const site = await startSite(
    {
      files: {
        'blog/server.js': `const express = ${requireDependency('express')}; const app = express(); app.get('*', (req, res) => res.send('blog ' + process.pid + ' ' + req.url)); module.exports = app;`,
        'shop/index.js': "module.exports = (req, res) => res.end('shop ' + process.pid + ' ' + req.url);",
        'www/index.html': 'root',
      },
      applications: [
        { path: '/', pool: 'Pool', physicalPath: '{{root}}/www' },
        { path: '/blog', pool: 'Pool', physicalPath: '{{root}}/blog' },
        { path: '/shop', pool: 'Pool', physicalPath: '{{root}}/shop' },
      ],
    },
    after,
  );
  const blog = (await site.get('/blog/posts/1')).text.split(' ');
  const shop = (await site.get('/shop/cart?x=1')).text.split(' ');
  assert.equal(blog[0], 'blog');
  assert.equal(blog[2], '/blog/posts/1');
  assert.equal(shop[0], 'shop');
  assert.equal(shop[2], '/shop/cart?x=1');
  assert.equal(blog[1], shop[1], 'one worker process');
  assert.equal(site.poolhost.workers('Pool').length, 1);
  assert.equal((await site.get('/')).text, 'root');
  assert.equal((await site.get('/blogx')).status, 404, 'no application prefix match across a segment');
});
