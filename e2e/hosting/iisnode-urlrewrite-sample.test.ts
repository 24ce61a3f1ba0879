import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSite } from '../pipeline/pipeline-support.js';
import { iisnodeWebConfig } from './iisnode-fixtures.js';

const hello = `
var http = require('http');
http.createServer(function (req, res) {
  res.writeHead(200, { 'Content-Type': 'text/plain' });
  res.end('Hello, world! [urlrewrite sample]\\nRequest URL: ' + req.url);
}).listen(process.env.PORT);
`;

test("iisnode's urlrewrite sample web.config: the whole myapp branch reaches hello.js with its URL and query", async () => {
  const site = await startSite(
    {
      files: { 'urlrewrite/hello.js': hello, 'urlrewrite/web.config': iisnodeWebConfig('tjanczuk__iisnode__samples-urlrewrite-web.config') },
      applications: [{ path: '/node/urlrewrite', pool: 'Pool', physicalPath: '{{root}}/urlrewrite' }],
    },
    after,
  );
  for (const path of ['/node/urlrewrite/myapp', '/node/urlrewrite/myapp/foo', '/node/urlrewrite/myapp/foo/bar/baz?param=bat', '/node/urlrewrite/hello.js']) {
    const response = await site.get(path);
    assert.equal(response.status, 200, path);
    assert.equal(response.text, `Hello, world! [urlrewrite sample]\nRequest URL: ${path}`);
  }
  assert.equal((await site.get('/node/urlrewrite/other')).status, 404, 'outside the rule: no handler serves it');
});
