// Automatic certificates against Pebble: a binding with certificateSource="acme" gets its certificate
// (HTTP-01 answered by httpsys on the site's http binding), the served chain verifies with Pebble's root,
// it is renewed before it expires and swapped in without a restart, and a name the CA cannot validate is
// logged and retried with back-off while the rest keeps serving.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/http.js';
import { waitFor } from '../support/wait.js';
import { curlHttps, serverCertificate } from '../support/tls-clients.js';
import { newAuthority, startHttpsServer } from './https-support.js';
import { startPebble } from './pebble-server.js';

test('ACME: issued through HTTP-01, verified with the CA root, renewed and swapped in; a failing order is retried with back-off', async () => {
  const authority = newAuthority();
  const folder = mkdtempSync(join(tmpdir(), 'poolhost-acme-'));
  const httpPort = await freePort();
  const httpsPort = await freePort();
  // Certificates live 40 s; renewBefore 30 s: a renewal is due 10 s after each issuance.
  const pebble = await startPebble({ authority, folder, httpPort, certificateValiditySeconds: 40 }, after);
  // fail.acme.test points where nothing listens: the CA cannot fetch its challenge.
  await pebble.pointName('fail.acme.test', '127.0.0.2');
  const element =
    `<automaticCertificates directoryUrl="${pebble.directoryUrl}" contact="mailto:admin@acme.test" termsOfServiceAgreed="true" ` +
    `caBundle="${pebble.apiCaFile}" certificateStoreLocation="${join(folder, 'issued')}" renewBefore="00:00:30" checkInterval="00:00:01" ` +
    'retryInterval="00:00:01" maxRetryInterval="00:00:08" />';
  const poolhost = await startHttpsServer(
    {
      sites: [{ name: 'Www', id: 1, bindings: [
        `127.0.0.1:${httpPort}:www.acme.test`, `127.0.0.1:${httpPort}:fail.acme.test`, `https/*:${httpsPort}:www.acme.test#1`, `https/*:${httpsPort}:fail.acme.test#1`,
      ] }],
      store: [],
      waitForPort: httpPort,
      afterConfig: (config) =>
        config
          .replaceAll(/(bindingInformation="\*:\d+:(?:www|fail)\.acme\.test" sslFlags="1")/g, '$1 certificateSource="acme"')
          .replace('</system.applicationHost>', `  ${element}\n  </system.applicationHost>`),
    },
    after,
  );
  const httpsys = poolhost.processes().find((info) => info.role === 'httpsys')!;
  const issuedLine = (): Record<string, unknown> | undefined =>
    poolhost.logLines.find((line) => typeof line.msg === 'string' && line.msg.startsWith(`certificate of www.acme.test:${httpsPort} issued by ${pebble.directoryUrl}`));
  await waitFor('the first certificate issued', () => issuedLine() !== undefined, 60_000, 200).catch((error: Error) => {
    throw new Error(`${error.message}\n${poolhost.logLines.filter((line) => line.component === 'acme').map((line) => line.msg).join('\n')}\n${pebble.output().slice(-3000)}`);
  });
  const rootFile = join(folder, 'pebble-root.pem');
  await pebble.fetchRoot(rootFile);

  // The issued files, as `poolhost sslcert` would have them: key 0600, in the store as hostnameport.
  const keyFile = join(folder, 'issued', `www.acme.test-${httpsPort}.key`);
  assert.equal(statSync(keyFile).mode & 0o777, 0o600);
  await waitFor('httpsys serves the issued certificate', async () => (await serverCertificate(httpsPort, 'www.acme.test', rootFile)).connected, 10_000, 200);
  const first = await serverCertificate(httpsPort, 'www.acme.test', rootFile);
  assert.equal(first.subjectCn, 'www.acme.test');
  const response = await curlHttps('www.acme.test', httpsPort, '/hello', rootFile);
  assert.equal(response.code, 0, response.stderr);
  assert.equal(response.body, 'Www https /hello', 'the chain verifies with Pebble\'s root');

  // Renewed before expiry: a new serial is served, httpsys was not restarted.
  await waitFor('a renewal', () => poolhost.logLines.some((line) => typeof line.msg === 'string' && line.msg.startsWith(`certificate of www.acme.test:${httpsPort} renewed`)), 60_000, 200);
  await waitFor('the renewed certificate served', async () => {
    const now = await serverCertificate(httpsPort, 'www.acme.test', rootFile);
    return now.connected && now.serial !== first.serial;
  }, 10_000, 200);
  assert.equal((await curlHttps('www.acme.test', httpsPort, '/again', rootFile)).body, 'Www https /again');
  assert.equal(poolhost.processes().find((info) => info.role === 'httpsys')!.pid, httpsys.pid, 'no restart');

  // fail.acme.test resolves to 127.0.0.2: Pebble's fetch of the challenge is refused, the order fails; retried 1 s, 2 s, 4 s later.
  await waitFor('three failed attempts', () => failures().length >= 3, 60_000, 200);
  const attempts = failures();
  assert.deepEqual(attempts.slice(0, 3).map((line) => [line.attempt, line.retryInMs]), [[1, 1000], [2, 2000], [3, 4000]]);
  assert.match(String(attempts[0]!.msg), new RegExp(`^ACME order for fail\\.acme\\.test:${httpsPort} failed \\(attempt 1\\): .*127\\.0\\.0\\.2.*; next attempt in 1 s$`));
  assert.equal((await serverCertificate(httpsPort, 'fail.acme.test', rootFile)).serial, null, 'no certificate for the name that failed');

  function failures(): Array<Record<string, unknown>> {
    return poolhost.logLines.filter((line) => typeof line.msg === 'string' && line.msg.startsWith(`ACME order for fail.acme.test:${httpsPort} failed`));
  }
});
