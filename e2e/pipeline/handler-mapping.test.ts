import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSite } from './pipeline-support.js';

test('handlers: the first entry matching path and verb serves; none is 404.4, a verb no entry allows is 405, a bad module is 500.21', async () => {
  const site = await startSite(
    {
      files: {
        'www/index.html': 'static',
        'www/api.js': "module.exports = (req, res) => res.end('node ' + req.method + ' ' + req.url);",
        'www/web.config': `<configuration><system.webServer><handlers>
  <add name="node" path="api.js" verb="GET,POST" modules="iisnode" />
  <add name="aspx" path="*.aspx" verb="*" type="System.Web.UI.PageHandlerFactory" />
  <add name="readonly" path="*.ro" verb="GET" modules="StaticFileModule" />
  <remove name="StaticFile" />
  <add name="StaticFile" path="*.html" verb="*" modules="StaticFileModule,DefaultDocumentModule" resourceType="Either" requireAccess="Read" />
</handlers></system.webServer></configuration>`,
      },
    },
    after,
  );
  assert.equal((await site.get('/api.js?x=1')).text, 'node GET /api.js?x=1');
  assert.equal((await site.get('/api.js', { method: 'POST', body: '' })).text, 'node POST /api.js');
  assert.equal((await site.get('/index.html')).text, 'static');
  const noHandler = await site.get('/image.png');
  assert.equal(noHandler.status, 404);
  assert.match(noHandler.text, /HTTP Error 404\.4/);
  const badVerb = await site.get('/file.ro', { method: 'PUT', body: 'x' });
  assert.equal(badVerb.status, 405);
  const badModule = await site.get('/page.aspx');
  assert.equal(badModule.status, 500);
  assert.match(badModule.text, /HTTP Error 500\.21/);
  assert.match(badModule.text, /<th>Handler<\/th><td>&nbsp;&nbsp;&nbsp;aspx<\/td>/);
});
