// `system.webServer/security/access sslFlags="Ssl"`: a request over http gets 403.4, the same URL over
// https is served.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { freePort, httpRequest } from '../support/http.js';
import { curlHttps } from '../support/tls-clients.js';
import { newAuthority, startHttpsServer } from './https-support.js';

test('sslFlags="Ssl" on a site: 403.4 over http, served over https', async () => {
  const authority = newAuthority();
  const www = authority.issue('www', ['www.example.test']);
  const port = await freePort();
  const httpPort = await freePort();
  await startHttpsServer(
    {
      sites: [{ name: 'Www', id: 1, bindings: [`https/*:${port}:`, `127.0.0.1:${httpPort}:`] }],
      store: [{ ipport: `0.0.0.0:${port}`, certfile: www.certFile, keyfile: www.keyFile }],
      waitForPort: httpPort,
      locations: '  <location path="Www">\n    <system.webServer>\n      <security>\n        <access sslFlags="Ssl, SslNegotiateCert" />\n      </security>\n    </system.webServer>\n  </location>',
    },
    after,
  );
  const overHttp = await httpRequest({ port: httpPort, path: '/secure/page' });
  assert.equal(overHttp.status, 403);
  assert.match(overHttp.text, /403\.4/);
  assert.match(overHttp.text, /secured with Secure Sockets Layer/);
  const overHttps = await curlHttps('www.example.test', port, '/secure/page', authority.caFile);
  assert.equal(overHttps.status, 200, overHttps.stderr);
  assert.equal(overHttps.body, 'Www https /secure/page');
});
