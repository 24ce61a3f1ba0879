// Automatic certificates validated by TLS-ALPN-01 (RFC 8737) against Pebble: the site has no http binding;
// Pebble connects to the https port with SNI and only the acme-tls/1 ALPN protocol, httpsys presents the
// challenge certificate before any routing, and the issued chain then verifies with Pebble's root. A client
// offering acme-tls/1 for a name with no pending challenge gets no answer, and httpsys serves on.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/http.js';
import { waitFor } from '../support/wait.js';
import { curlHttps, run, serverCertificate } from '../support/tls-clients.js';
import { newAuthority, startHttpsServer } from './https-support.js';
import { startPebble } from './pebble-server.js';

test('ACME tls-alpn-01: httpsys answers acme-tls/1 with the challenge certificate, the issued certificate is served', async () => {
  const authority = newAuthority();
  const folder = mkdtempSync(join(tmpdir(), 'poolhost-acme-alpn-'));
  const httpsPort = await freePort();
  // Nothing listens on Pebble's HTTP-01 port: only TLS-ALPN-01 can validate.
  const pebble = await startPebble({ authority, folder, httpPort: await freePort(), tlsPort: httpsPort, certificateValiditySeconds: 3600 }, after);
  // Certificates live an hour and renewBefore is 30 s: no renewal starts during the test (the default, 30 days, would renew at every 1 s check).
  const element =
    `<automaticCertificates directoryUrl="${pebble.directoryUrl}" termsOfServiceAgreed="true" challengeType="tls-alpn-01" ` +
    `caBundle="${pebble.apiCaFile}" certificateStoreLocation="${join(folder, 'issued')}" renewBefore="00:00:30" checkInterval="00:00:01" retryInterval="00:00:01" />`;
  const poolhost = await startHttpsServer(
    {
      sites: [{ name: 'Alpn', id: 1, bindings: [`https/*:${httpsPort}:alpn.acme.test#1`] }],
      store: [],
      waitForPort: httpsPort,
      afterConfig: (config) =>
        config
          .replace(/(bindingInformation="\*:\d+:alpn\.acme\.test" sslFlags="1")/, '$1 certificateSource="acme"')
          .replace('</system.applicationHost>', `  ${element}\n  </system.applicationHost>`),
    },
    after,
  );
  const httpsys = poolhost.processes().find((info) => info.role === 'httpsys')!;

  // No challenge pending for this name: acme-tls/1 is not spoken, the handshake fails.
  const stray = await run('openssl', ['s_client', '-connect', `127.0.0.1:${httpsPort}`, '-servername', 'stray.acme.test', '-alpn', 'acme-tls/1'], '');
  assert.doesNotMatch(stray.stdout, /ALPN protocol: acme-tls\/1/);
  assert.doesNotMatch(stray.stdout, /BEGIN CERTIFICATE/);

  await waitFor('the certificate issued', () => poolhost.logLines.some((line) => String(line.msg).startsWith(`certificate of alpn.acme.test:${httpsPort} issued by`)), 60_000, 200).catch(
    (error: Error) => {
      throw new Error(`${error.message}\n${poolhost.logLines.filter((line) => line.component === 'acme').map((line) => line.msg).join('\n')}\n${pebble.output().slice(-3000)}`);
    },
  );
  assert.ok(poolhost.logLines.some((line) => line.msg === `ordering the certificate of alpn.acme.test:${httpsPort} from ${pebble.directoryUrl}, validated by tls-alpn-01`));
  // Pebble validated through the https port: nothing listens on its HTTP-01 port, and only tls-alpn-01 is answered.
  assert.match(pebble.output(), /POST \/chalZ\//);
  const rootFile = join(folder, 'pebble-root.pem');
  await pebble.fetchRoot(rootFile);
  await waitFor('httpsys serves the issued certificate', async () => (await serverCertificate(httpsPort, 'alpn.acme.test', rootFile)).connected, 10_000, 200);
  assert.equal((await serverCertificate(httpsPort, 'alpn.acme.test', rootFile)).subjectCn, 'alpn.acme.test');
  const response = await curlHttps('alpn.acme.test', httpsPort, '/hello', rootFile);
  assert.equal(response.code, 0, response.stderr);
  assert.equal(response.body, 'Alpn https /hello');
  const acmeLog = (): string => poolhost.logLines.filter((line) => line.component === 'acme').map((line) => line.msg).join('\n');
  assert.equal(existsSync(join(poolhost.runDirectory, 'acme-challenge', 'tls-alpn-01', 'alpn.acme.test.pem')), false, `the challenge certificate is removed\n${acmeLog()}`);
  assert.equal(poolhost.processes().find((info) => info.role === 'httpsys')!.pid, httpsys.pid, 'httpsys was not restarted');
});
