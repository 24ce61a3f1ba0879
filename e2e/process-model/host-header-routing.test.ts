import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPoolhost } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort, httpRequest, rawRequest } from '../support/http.js';
import { invalidHostnameBody } from '../support/iis-bodies.js';

const hostApp = (name: string): string => `module.exports = (req, res) => res.end('${name} ' + req.url);\n`;

test('host headers pick the site, the longest application path picks the pool, and an unbound host gets 400 Invalid Hostname', async () => {
  const port = await freePort();
  await startPoolhost(
    {
      config: applicationHostConfig({
        pools: [{ name: 'ContosoPool' }, { name: 'FabrikamPool' }, { name: 'FabrikamApiPool' }],
        sites: [
          { name: 'Contoso', id: 1, bindings: [`*:${port}:www.contoso.test`], applications: [{ path: '/', pool: 'ContosoPool', physicalPath: '{{root}}/contoso' }] },
          {
            name: 'Fabrikam',
            id: 2,
            bindings: [`*:${port}:fabrikam.test`],
            applications: [
              { path: '/', pool: 'FabrikamPool', physicalPath: '{{root}}/fabrikam' },
              { path: '/api', pool: 'FabrikamApiPool', physicalPath: '{{root}}/fabrikam-api' },
            ],
          },
        ],
      }),
      files: { 'contoso/server.js': hostApp('contoso'), 'fabrikam/server.js': hostApp('fabrikam'), 'fabrikam-api/server.js': hostApp('api') },
      waitForPort: port,
    },
    after,
  );
  assert.equal((await httpRequest({ port, path: '/x', host: 'WWW.Contoso.test' })).text, 'contoso /x');
  assert.equal((await httpRequest({ port, path: '/x', host: `fabrikam.test:${port}` })).text, 'fabrikam /x');
  assert.equal((await httpRequest({ port, path: '/api/users', host: 'fabrikam.test' })).text, 'api /api/users');
  assert.equal((await httpRequest({ port, path: '/API', host: 'fabrikam.test' })).text, 'api /API', 'application paths match case-insensitively');
  assert.equal((await httpRequest({ port, path: '/apiary', host: 'fabrikam.test' })).text, 'fabrikam /apiary', 'only on / boundaries');

  const raw = await rawRequest(port, 'GET / HTTP/1.1\r\nHost: nobody.test\r\n\r\n');
  const [head, body] = raw.split('\r\n\r\n', 2) as [string, string];
  const lines = head.split('\r\n');
  assert.equal(lines[0], 'HTTP/1.1 400 Bad Request');
  assert.deepEqual(
    lines.slice(1).map((line) => line.split(':')[0]),
    ['Content-Type', 'Server', 'Date', 'Connection', 'Content-Length'],
  );
  assert.ok(lines.includes('Content-Type: text/html; charset=us-ascii'));
  assert.ok(lines.includes('Content-Length: 334'));
  assert.equal(raw.slice(head.length + 4), invalidHostnameBody);
  assert.equal(body.length > 0, true);
});
