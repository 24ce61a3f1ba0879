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

test('applications of one folder share a compiled pipeline, yet each request is its own application’s', async () => {
  const site = await startSite(
    {
      files: {
        'app/server.js':
          "module.exports = (req, res) => res.end([req.headers['x-iisnode-appl_md_path'], req.headers['x-iisnode-path_translated'], req.url].join(' '));",
        'app/web.config': '<configuration><system.webServer><iisnode promoteServerVars="APPL_MD_PATH,PATH_TRANSLATED" /></system.webServer></configuration>',
      },
      applications: [
        { path: '/', pool: 'Pool', physicalPath: '{{root}}/app' },
        { path: '/a', pool: 'Pool', physicalPath: '{{root}}/app' },
        { path: '/b', pool: 'Pool', physicalPath: '{{root}}/app' },
      ],
    },
    after,
  );
  const [rootPath, rootFile] = (await site.get('/a2/x')).text.split(' ');
  const [aPath, aFile, aUrl] = (await site.get('/a/x')).text.split(' ');
  const [bPath, bFile] = (await site.get('/b/x')).text.split(' ');
  assert.match(rootPath!, /^\/LM\/W3SVC\/\d+\/ROOT$/);
  assert.equal(aPath, `${rootPath}/a`);
  assert.equal(bPath, `${rootPath}/b`);
  assert.match(rootFile!, /\/app\/a2\/x$/);
  assert.match(aFile!, /\/app\/x$/);
  assert.match(bFile!, /\/app\/x$/);
  assert.equal(aUrl, '/a/x');
});
