import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSite, requireDependency } from '../pipeline/pipeline-support.js';
import { iisnodeWebConfig } from './iisnode-fixtures.js';

// tjanczuk/iisnode samples/express: hello.js is the iisnode handler; a rewrite rule sends myapp/* to it.
const hello = `
const express = ${requireDependency('express')};
const app = express();
app.get('/node/express/myapp/foo', (req, res) => res.send('Hello from foo! [express sample]'));
app.get('/node/express/myapp/bar', (req, res) => res.send('Hello from bar! [express sample]'));
app.listen(process.env.PORT);
`;

test("iisnode's express sample web.config: myapp/* is rewritten to hello.js, which routes on the original URL", async () => {
  const site = await startSite(
    {
      files: { 'express/hello.js': hello, 'express/web.config': iisnodeWebConfig('tjanczuk__iisnode__samples-express-web.config'), 'express/readme.txt': 'static next to the app' },
      applications: [{ path: '/node/express', pool: 'Pool', physicalPath: '{{root}}/express' }],
    },
    after,
  );
  assert.equal((await site.get('/node/express/myapp/foo')).text, 'Hello from foo! [express sample]');
  assert.equal((await site.get('/node/express/myapp/bar')).text, 'Hello from bar! [express sample]');
  const notRouted = await site.get('/node/express/myapp/baz');
  assert.equal(notRouted.status, 404);
  assert.match(notRouted.text, /Cannot GET \/node\/express\/myapp\/baz/, "Express's own 404: the request reached hello.js");
  assert.equal((await site.get('/node/express/readme.txt')).text, 'static next to the app', 'other files are served by StaticFile');
  assert.match((await site.get('/node/express/web.config')).text, /HTTP Error 404\.8/);
});
