import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSite, requireDependency } from '../pipeline/pipeline-support.js';
import { iisnodeWebConfig } from './iisnode-fixtures.js';

// lilliputten/minimal-iisnode-express-app: everything that is not a file (and not under /public) goes to server.js.
const server = `
const express = ${requireDependency('express')};
const app = express();
app.get('/', (req, res) => res.send('express home'));
app.get('/about', (req, res) => res.send('about page, url ' + req.url));
app.use((req, res) => res.status(404).send('express: no route for ' + req.url));
app.listen(process.env.PORT || 3000);
`;

test('the minimal iisnode Express app web.config: rewrite unless IsFile or /public, hidden node_modules, stopProcessing rules', async () => {
  const site = await startSite(
    {
      files: {
        'www/server.js': server,
        'www/web.config': iisnodeWebConfig('lilliputten__minimal-iisnode-express-app__web.config'),
        'www/public/style.css': 'body { margin: 0 }',
        'www/robots.txt': 'User-agent: *',
        'www/node_modules/pkg/index.js': 'secret',
      },
    },
    after,
  );
  assert.equal((await site.get('/')).text, 'express home');
  assert.equal((await site.get('/about?x=1')).text, 'about page, url /about?x=1');
  assert.equal((await site.get('/deep/route')).text, 'express: no route for /deep/route');
  const css = await site.get('/public/style.css');
  assert.equal(css.text, 'body { margin: 0 }');
  assert.equal(css.headers['content-type'], 'text/css');
  assert.equal((await site.get('/robots.txt')).text, 'User-agent: *', 'IsFile: served as a static file');
  assert.equal((await site.get('/public/missing.css')).status, 404, '/public is never rewritten');
  assert.match((await site.get('/node_modules/pkg/index.js')).text, /HTTP Error 404\.8/);
  assert.equal((await site.get('/iisnode')).status, 404, 'the LogFile rule stops processing without a rewrite');
});
