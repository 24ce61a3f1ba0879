import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSite } from '../pipeline/pipeline-support.js';
import { iisnodeWebConfig } from './iisnode-fixtures.js';

const hello = `
require('http').createServer((req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/html' });
  res.end('Hello, world! [configuration sample] ' + req.url);
}).listen(process.env.PORT);
`;

test("iisnode's configuration sample web.config (every <iisnode> attribute) hosts hello.js; other files stay static", async () => {
  const site = await startSite(
    {
      files: { 'configuration/hello.js': hello, 'configuration/web.config': iisnodeWebConfig('tjanczuk__iisnode__samples-configuration-web.config'), 'configuration/index.htm': 'default document' },
      applications: [{ path: '/node/configuration', pool: 'Pool', physicalPath: '{{root}}/configuration' }],
    },
    after,
  );
  assert.equal((await site.get('/node/configuration/hello.js')).text, 'Hello, world! [configuration sample] /node/configuration/hello.js');
  assert.equal((await site.get('/node/configuration/')).text, 'default document');
  assert.equal((await site.get('/node/configuration/missing.js')).status, 404);
  // Every attribute is at iisnode's default: nothing to report.
  assert.deepEqual(site.poolhost.logLines.filter((line) => /have no effect/.test(String(line.msg))), []);
});
