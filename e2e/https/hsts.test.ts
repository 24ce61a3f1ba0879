// <hsts> on a site and in siteDefaults: Strict-Transport-Security on https responses only, and the
// http -> https 301 (port dropped) answered by httpsys itself, without waking a worker.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { freePort, httpRequest } from '../support/http.js';
import { curlHttps } from '../support/tls-clients.js';
import { newAuthority, startHttpsServer } from './https-support.js';

test('hsts: the header on https responses only; redirectHttpToHttps answers http with a 301 to https, port dropped', async () => {
  const authority = newAuthority();
  const www = authority.issue('www', ['www.example.test', 'plain.example.test']);
  const port = await freePort();
  const httpPort = await freePort();
  const plainPort = await freePort();
  const poolhost = await startHttpsServer(
    {
      sites: [
        { name: 'Www', id: 1, bindings: [`https/*:${port}:www.example.test#1`, `127.0.0.1:${httpPort}:`] },
        { name: 'Plain', id: 2, bindings: [`https/*:${port}:plain.example.test#1`, `127.0.0.1:${plainPort}:`] },
      ],
      store: [{ ipport: `0.0.0.0:${port}`, certfile: www.certFile, keyfile: www.keyFile }],
      waitForPort: httpPort,
      // siteDefaults: HSTS for every site; Plain turns it off for itself.
      siteDefaults: '<hsts enabled="true" max-age="31536000" includeSubDomains="true" redirectHttpToHttps="true" />',
      siteChildren: { Plain: '<hsts enabled="false" />' },
    },
    after,
  );

  const secure = await curlHttps('www.example.test', port, '/page', authority.caFile);
  assert.equal(secure.status, 200, secure.stderr);
  assert.match(secure.headers, /\r\nStrict-Transport-Security: max-age=31536000; includeSubDomains(\r\n|$)/i);

  const redirected = await httpRequest({ port: httpPort, path: '/page?q=1', headers: { host: `www.example.test:${httpPort}` } });
  assert.equal(redirected.status, 301);
  assert.equal(redirected.headers.location, 'https://www.example.test/page?q=1');
  assert.equal(redirected.headers['strict-transport-security'], undefined, 'never on http');
  assert.equal(poolhost.workers('WwwPool').length, 1, 'the redirect woke no second worker');

  const plainSecure = await curlHttps('plain.example.test', port, '/', authority.caFile);
  assert.equal(plainSecure.body, 'Plain https /');
  assert.doesNotMatch(plainSecure.headers, /Strict-Transport-Security/i, 'the site turned hsts off');
  const plainHttp = await httpRequest({ port: plainPort, path: '/x' });
  assert.equal(plainHttp.status, 200);
  assert.equal(plainHttp.text, 'Plain http /x');
});
