// iisnode's own layout: a site whose sub-folders each hold an app with its own web.config (the
// samples' helloworld, urlrewrite, a default document naming the entry script), nested applications
// inheriting their parent's web.config, and <location> tags at every level. Each script runs; none is
// ever sent as source.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSite } from '../pipeline/pipeline-support.js';
import { iisnodeWebConfig } from './iisnode-fixtures.js';

const script = (name: string): string => `
var http = require('http');
http.createServer(function (req, res) {
  res.writeHead(200, { 'Content-Type': 'text/plain' });
  res.end('${name} ran; url ' + req.url);
}).listen(process.env.PORT);
`;
const listener = (name: string): string => `module.exports = (req, res) => res.end('${name} ran; url ' + req.url);\n`;

const webConfig = (inner: string, outside = ''): string => `<?xml version="1.0"?>\n<configuration>\n  <system.webServer>\n${inner}\n  </system.webServer>\n${outside}</configuration>\n`;
const iisnode = (path: string): string => `    <handlers><add name="iisnode" path="${path}" verb="*" modules="iisnode" /></handlers>`;

test('sub-folders with their own web.config, handlers and rewrite rules run their scripts; nested applications inherit their parent', async () => {
  const files: Record<string, string> = {
    'www/index.html': 'site root',
    'www/node/index.htm': 'samples index',
    'www/node/helloworld/hello.js': script('helloworld'),
    'www/node/helloworld/web.config': webConfig(iisnode('hello.js')),
    'www/node/urlrewrite/hello.js': script('urlrewrite'),
    'www/node/urlrewrite/web.config': iisnodeWebConfig('tjanczuk__iisnode__samples-urlrewrite-web.config'),
    'www/node/defaultdocument/index.js': listener('defaultdocument'),
    'www/node/defaultdocument/web.config': webConfig(`${iisnode('index.js')}\n    <defaultDocument enabled="true"><files><add value="index.js" /></files></defaultDocument>`),
    'www/node/defaultdocument/deeper/index.js': listener('deeper'),
    'www/node/defaultdocument/deeper/notes.txt': 'static in a sub-folder',
    'apps/parent/server.js': listener('parent'),
    'apps/parent/web.config': webConfig(iisnode('server.js'), '  <location path="docs"><system.webServer><directoryBrowse enabled="true" /></system.webServer></location>\n'),
    'apps/parent/docs/readme.txt': 'docs',
    'apps/child/server.js': listener('child'),
    'apps/child/page.txt': 'child page',
    'apps/child/sub/web.config': webConfig('    <defaultDocument><files><clear /><add value="server.js" /></files></defaultDocument>'),
    'apps/child/sub/server.js': listener('child/sub'),
  };
  const site = await startSite(
    {
      files,
      applications: [
        { path: '/', pool: 'Pool', physicalPath: '{{root}}/www' },
        { path: '/parent', pool: 'Pool', physicalPath: '{{root}}/apps/parent' },
        { path: '/parent/child', pool: 'Pool', physicalPath: '{{root}}/apps/child' },
      ],
      locations: `<location path="Site/node/helloworld"><system.webServer><httpProtocol><customHeaders><add name="X-Level" value="apphost location" /></customHeaders></httpProtocol></system.webServer></location>`,
    },
    after,
  );
  const expect = async (path: string, status: number, body: string | RegExp): Promise<void> => {
    const response = await site.get(path);
    assert.equal(response.status, status, `${path}: ${response.text.slice(0, 200)}`);
    if (typeof body === 'string') assert.equal(response.text, body, path);
    else assert.match(response.text, body, path);
  };

  await expect('/', 200, 'site root');
  await expect('/node/', 200, 'samples index');
  const hello = await site.get('/node/helloworld/hello.js');
  assert.equal(hello.text, 'helloworld ran; url /node/helloworld/hello.js');
  assert.equal(hello.headers['x-level'], 'apphost location', 'a <location path="Site/node/helloworld"> in applicationHost.config reaches the folder');
  // Handler paths match case-insensitively; file names on Linux do not: no such file, no source either.
  await expect('/node/helloworld/HELLO.JS', 404, /HTTP Error 404\.0/);
  // The sub-folder's own rewrite rule, matched relative to its folder.
  await expect('/node/urlrewrite/myapp/foo?x=1', 200, 'urlrewrite ran; url /node/urlrewrite/myapp/foo?x=1');
  await expect('/node/urlrewrite/hello.js', 200, 'urlrewrite ran; url /node/urlrewrite/hello.js');
  // A default document naming the entry script runs it; below, the inherited handler runs that folder's index.js.
  await expect('/node/defaultdocument/', 200, 'defaultdocument ran; url /node/defaultdocument/');
  await expect('/node/defaultdocument/deeper/', 200, 'deeper ran; url /node/defaultdocument/deeper/');
  await expect('/node/defaultdocument/deeper/notes.txt', 200, 'static in a sub-folder');
  // Outside those folders nothing maps hello.js to iisnode, and there is no such file at the root.
  await expect('/node/hello.js', 404, /HTTP Error 404\.0/);

  await expect('/parent/server.js', 200, 'parent ran; url /parent/server.js');
  await expect('/parent/docs/', 200, /readme\.txt/);
  // The child application inherits the parent's web.config (iisnode handler for server.js) …
  await expect('/parent/child/server.js', 200, 'child ran; url /parent/child/server.js');
  await expect('/parent/child/page.txt', 200, 'child page');
  // … and its sub-folder's default document (server.js) goes through that handler too.
  await expect('/parent/child/sub/', 200, 'child/sub ran; url /parent/child/sub/');
});

test('a web.config created, changed and deleted in a sub-folder applies without restarting poolhost', async () => {
  const site = await startSite({ files: { 'www/index.html': 'root', 'www/api/hello.js': listener('api'), 'www/api/page.txt': 'page' } }, after);
  const folder = join(site.poolhost.root, 'www', 'api');
  /** Polls until `path` answers `body` (the pool recycles for the change; the new worker reads the folder again). */
  const until = async (path: string, body: string): Promise<void> => {
    const deadline = Date.now() + 30_000;
    let last = '';
    while (Date.now() < deadline) {
      last = (await site.get(path)).text;
      if (last === body) return;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    assert.fail(`${path} still answers ${JSON.stringify(last.slice(0, 200))}, not ${JSON.stringify(body)}`);
  };
  assert.equal((await site.get('/api/run')).status, 404);

  writeFileSync(join(folder, 'web.config'), webConfig(iisnode('hello.js')));
  await until('/api/hello.js', 'api ran; url /api/hello.js');

  writeFileSync(join(folder, 'web.config'), webConfig(`${iisnode('hello.js')}
    <rewrite><rules><rule name="run"><match url="^run$" /><action type="Rewrite" url="hello.js" /></rule></rules></rewrite>`));
  await until('/api/run', 'api ran; url /api/run');

  unlinkSync(join(folder, 'web.config'));
  await until('/api/page.txt', 'page');
  const deadline = Date.now() + 30_000;
  while ((await site.get('/api/run')).status !== 404) {
    assert.ok(Date.now() < deadline, 'the rewrite rule of the deleted web.config still applies');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
});
