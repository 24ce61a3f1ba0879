// Automatic certificates validated by DNS-01 against Pebble, through the administrator's DNS script (the
// production hook: a command given the name, the record and the TXT value). Here the script drives
// pebble-challtestsrv's management API (/set-txt, /clear-txt) as a real one would drive a DNS provider's.
// A wildcard binding (*.wild.test) gets its certificate and serves app.wild.test; a name whose script fails
// is reported with what the script said and retried with back-off.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/http.js';
import { waitFor } from '../support/wait.js';
import { curlHttps, serverCertificate } from '../support/tls-clients.js';
import { newAuthority, startHttpsServer } from './https-support.js';
import { startPebble } from './pebble-server.js';

test('ACME dns-01: a wildcard certificate through the DNS script, served for a name under it; a failing script is reported and retried', async () => {
  const authority = newAuthority();
  const folder = mkdtempSync(join(tmpdir(), 'poolhost-acme-dns-'));
  const httpsPort = await freePort();
  const pebble = await startPebble({ authority, folder, httpPort: await freePort(), certificateValiditySeconds: 3600 }, after);
  const calls = join(folder, 'dns-calls.log');
  const script = join(folder, 'dns-provider.sh');
  writeFileSync(
    script,
    [
      '#!/bin/sh',
      '# create|delete <identifier> <record name> <TXT value>',
      `echo "$@" >> ${calls}`,
      'if [ "$2" = "bad.dns.test" ]; then echo "no hosted zone for bad.dns.test" >&2; exit 7; fi',
      `if [ "$1" = create ]; then curl -fsS -X POST -d "{\\"host\\":\\"$3.\\",\\"value\\":\\"$4\\"}" ${pebble.dnsManagementUrl}/set-txt; fi`,
      `if [ "$1" = delete ]; then curl -fsS -X POST -d "{\\"host\\":\\"$3.\\"}" ${pebble.dnsManagementUrl}/clear-txt; fi`,
      '',
    ].join('\n'),
  );
  chmodSync(script, 0o755);
  // Certificates live an hour and renewBefore is 30 s: no renewal starts during the test (the default, 30 days, would renew at every 1 s check).
  const element =
    `<automaticCertificates directoryUrl="${pebble.directoryUrl}" termsOfServiceAgreed="true" challengeType="dns-01" ` +
    `dnsCreateScript="${script}" dnsDeleteScript="${script}" ` +
    `caBundle="${pebble.apiCaFile}" certificateStoreLocation="${join(folder, 'issued')}" renewBefore="00:00:30" checkInterval="00:00:01" retryInterval="00:00:01" maxRetryInterval="00:00:08" />`;
  const poolhost = await startHttpsServer(
    {
      sites: [{ name: 'Wild', id: 1, bindings: [`https/*:${httpsPort}:*.wild.test#1`, `https/*:${httpsPort}:bad.dns.test#1`] }],
      store: [],
      waitForPort: httpsPort,
      afterConfig: (config) =>
        config
          .replaceAll(/(bindingInformation="\*:\d+:(?:\*\.wild\.test|bad\.dns\.test)" sslFlags="1")/g, '$1 certificateSource="acme"')
          .replace('</system.applicationHost>', `  ${element}\n  </system.applicationHost>`),
    },
    after,
  );

  await waitFor('the wildcard certificate issued', () => poolhost.logLines.some((line) => String(line.msg).startsWith(`certificate of *.wild.test:${httpsPort} issued by`)), 60_000, 200).catch(
    (error: Error) => {
      throw new Error(`${error.message}\n${poolhost.logLines.filter((line) => line.component === 'acme').map((line) => line.msg).join('\n')}\n${pebble.output().slice(-3000)}`);
    },
  );
  // The script published the TXT record of the wildcard's parent, then removed it with the same value.
  const lines = readFileSync(calls, 'utf8').trim().split('\n').filter((line) => line.includes('wild.test'));
  assert.equal(lines.length, 2, lines.join('\n'));
  const [create, remove] = lines.map((line) => line.split(' '));
  assert.deepEqual(create!.slice(0, 3), ['create', 'wild.test', '_acme-challenge.wild.test']);
  assert.match(create![3]!, /^[A-Za-z0-9_-]{43}$/, 'the TXT value: base64url of a SHA-256 (RFC 8555 §8.4)');
  assert.deepEqual(remove, ['delete', 'wild.test', '_acme-challenge.wild.test', create![3]]);
  assert.ok(existsSync(join(folder, 'issued', `_.wild.test-${httpsPort}.pem`)), 'the wildcard\'s files are named with _ for *');

  const rootFile = join(folder, 'pebble-root.pem');
  await pebble.fetchRoot(rootFile);
  await waitFor('httpsys serves the wildcard certificate', async () => (await serverCertificate(httpsPort, 'app.wild.test', rootFile)).connected, 10_000, 200);
  assert.equal((await serverCertificate(httpsPort, 'shop.wild.test', rootFile)).subjectCn, '*.wild.test');
  const response = await curlHttps('app.wild.test', httpsPort, '/hello', rootFile);
  assert.equal(response.code, 0, response.stderr);
  assert.equal(response.body, 'Wild https /hello', 'the wildcard host header routes app.wild.test to the site');

  // bad.dns.test: the script exits 7; the order fails with what it said and is retried 1 s, then 2 s later.
  await waitFor('two failed attempts', () => failures().length >= 2, 60_000, 200);
  const attempts = failures();
  assert.deepEqual(attempts.slice(0, 2).map((line) => [line.attempt, line.retryInMs]), [[1, 1000], [2, 2000]]);
  assert.match(
    String(attempts[0]!.msg),
    new RegExp(`^ACME order for bad\\.dns\\.test:${httpsPort} failed \\(attempt 1\\): .*DNS create script ${script.replaceAll('.', '\\.')} for _acme-challenge\\.bad\\.dns\\.test exited with code 7: no hosted zone for bad\\.dns\\.test.*; next attempt in 1 s$`),
  );

  function failures(): Array<Record<string, unknown>> {
    return poolhost.logLines.filter((line) => String(line.msg).startsWith(`ACME order for bad.dns.test:${httpsPort} failed`));
  }
});
