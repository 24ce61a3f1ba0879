// Client certificates: an SSL store entry with clientcertnegotiation=enable and a CA bundle (sslctlfile=)
// makes httpsys ask for one in the handshake; security/access sslFlags="Ssl, SslRequireCert" turns a
// missing one into 403.7, an untrusted one into 403.16, an expired one into 403.17. A trusted one
// reaches the app: req.socket.getPeerCertificate(), req.socket.authorized and the CERT_* variables.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { freePort } from '../support/http.js';
import { sleep } from '../support/wait.js';
import { curlHttps } from '../support/tls-clients.js';
import { newAuthority, startHttpsServer } from './https-support.js';

const certificateApp =
  "module.exports = (req, res) => { const c = req.socket.getPeerCertificate(); res.end([c.subject && c.subject.CN, req.socket.authorized, c.serialNumber, req.headers['x-iisnode-cert_subject'], req.headers['x-iisnode-cert_flags']].join('|')); };";

test('SslRequireCert: a trusted client certificate reaches the app; missing 403.7, untrusted 403.16, expired 403.17', async () => {
  const serverAuthority = newAuthority();
  const clientAuthority = newAuthority();
  const strangers = newAuthority();
  const server = serverAuthority.issue('www', ['www.example.test']);
  const alice = clientAuthority.issue('alice', ['alice'], { clientAuth: true });
  const mallory = strangers.issue('mallory', ['mallory'], { clientAuth: true });
  const expired = clientAuthority.issue('expired', ['old-timer'], { clientAuth: true, days: 0 });
  const port = await freePort();
  await startHttpsServer(
    {
      sites: [{ name: 'Www', id: 1, bindings: [`https/*:${port}:www.example.test#1`] }],
      store: [
        {
          hostnameport: `www.example.test:${port}`,
          certfile: server.certFile,
          keyfile: server.keyFile,
          clientcertnegotiation: 'enable',
          sslctlfile: clientAuthority.caFile,
        },
      ],
      waitForPort: port,
      app: certificateApp,
      locations:
        '  <location path="Www">\n    <system.webServer>\n      <security>\n        <access sslFlags="Ssl, SslNegotiateCert, SslRequireCert" />\n      </security>\n' +
        '      <iisnode promoteServerVars="CERT_SUBJECT,CERT_FLAGS" />\n    </system.webServer>\n  </location>',
    },
    after,
  );
  await sleep(1_100); // `expired` is past its notAfter by now

  const get = (certificate?: { certFile: string; keyFile: string }) =>
    curlHttps('www.example.test', port, '/whoami', serverAuthority.caFile, certificate ? ['--cert', certificate.certFile, '--key', certificate.keyFile] : []);

  const trusted = await get(alice);
  assert.equal(trusted.status, 200, trusted.stderr + trusted.body);
  assert.equal(trusted.body, `alice|true|${alice.serial}|CN=alice|1`);

  const missing = await get();
  assert.equal(missing.status, 403);
  assert.match(missing.body, /403\.7/);

  const untrusted = await get(mallory);
  assert.equal(untrusted.status, 403);
  assert.match(untrusted.body, /403\.16/);

  const old = await get(expired);
  assert.equal(old.status, 403);
  assert.match(old.body, /403\.17/);
});
