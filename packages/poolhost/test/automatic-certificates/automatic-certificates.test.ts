import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSslStore, writeSslStore, DEFAULT_APP_ID } from '@poolhost/config';
import { AutomaticCertificates } from '../../src/automatic-certificates/automatic-certificates.js';
import type { IssuedCertificate } from '../../src/automatic-certificates/acme-order.js';
import { quietLogger } from '../support/quiet-logger.js';

function selfSigned(folder: string, host: string, days: number): IssuedCertificate {
  const key = join(folder, `${host}.key`);
  const cert = join(folder, `${host}.pem`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-days', String(days), '-subj', `/CN=${host}`], { stdio: 'ignore' });
  return { certificate: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') };
}

function setUp(): { folder: string; configFile: string; storeFile: string } {
  const folder = mkdtempSync(join(tmpdir(), 'poolhost-acme-unit-'));
  const configFile = join(folder, 'applicationHost.config');
  writeFileSync(
    configFile,
    `<configuration><system.applicationHost>
<applicationPools><add name="DefaultAppPool" /></applicationPools>
<sites><site name="S" id="1"><bindings>
  <binding protocol="http" bindingInformation="*:80:" />
  <binding protocol="https" bindingInformation="*:443:www.contoso.test" sslFlags="1" certificateSource="acme" />
  <binding protocol="https" bindingInformation="*:443:manual.contoso.test" sslFlags="1" certificateSource="acme" />
</bindings></site></sites>
<automaticCertificates directoryUrl="https://acme.test/dir" renewBefore="10.00:00:00" retryInterval="00:01:00" maxRetryInterval="00:03:00" />
</system.applicationHost></configuration>`,
  );
  const storeFile = join(folder, 'sslcert.json');
  return { folder, configFile, storeFile };
}

test('a failed order waits retryInterval, then twice as long, capped; success stores the certificate as sslcert add does; a manual entry is left alone', async () => {
  const { folder, configFile, storeFile } = setUp();
  const manual = selfSigned(folder, 'manual.contoso.test', 2);
  writeFileSync(join(folder, 'manual.pem'), manual.certificate);
  writeFileSync(join(folder, 'manual.key'), manual.key, { mode: 0o600 });
  writeSslStore(storeFile, [
    { key: { kind: 'hostnameport', host: 'manual.contoso.test', port: 443 }, certFile: join(folder, 'manual.pem'), keyFile: join(folder, 'manual.key'), appId: DEFAULT_APP_ID, certStoreName: 'MY', clientCertNegotiation: false },
  ]);
  let clock = 1_000_000;
  const orders: number[] = [];
  let failuresLeft = 4;
  const lines: string[] = [];
  const manager = new AutomaticCertificates({
    configFile,
    storeFile,
    runDirectory: folder,
    logger: quietLogger(lines),
    now: () => clock,
    isListening: async () => true,
    order: async (settings, host) => {
      orders.push(clock);
      assert.equal(host, 'www.contoso.test', 'the manual entry is never ordered');
      assert.equal(settings.directoryUrl, 'https://acme.test/dir');
      if (failuresLeft-- > 0) throw new Error('urn:ietf:params:acme:error:connection: connection refused');
      return selfSigned(folder, 'www.contoso.test', 90);
    },
  });
  const advance = async (ms: number): Promise<void> => {
    clock += ms;
    await manager.check();
  };
  await manager.check();
  await advance(30_000); // within the first minute: no second attempt
  await advance(30_000); // 1 min after attempt 1
  await advance(60_000); // 1 min after attempt 2: still waiting (2 min)
  await advance(60_000); // 2 min after attempt 2
  await advance(180_000); // 3 min (4 capped to 3) after attempt 3
  await advance(180_000); // 3 min after attempt 4: succeeds
  await advance(180_000); // valid 90 days, renewBefore 10 days: nothing to do
  assert.deepEqual(orders.map((at) => at - 1_000_000), [0, 60_000, 180_000, 360_000, 540_000]);
  await manager.stop();

  assert.deepEqual(
    lines.filter((line) => line.startsWith('ACME order')).map((line) => line.replace(/: urn.*; /, ': …; ')),
    [1, 2, 3, 4].map((attempt) => `ACME order for www.contoso.test:443 failed (attempt ${attempt}): …; next attempt in ${[60, 120, 180, 180][attempt - 1]} s`),
  );
  assert.equal(lines.filter((line) => line.includes('manual.contoso.test:443 is in the SSL store already and was not issued by ACME')).length, 1, 'reported once');
  const store = readSslStore(storeFile).bindings;
  const issued = store.find((entry) => entry.key.host === 'www.contoso.test')!;
  assert.equal(issued.certStoreName, 'ACME');
  assert.equal(issued.certFile, join(folder, 'acme', 'www.contoso.test-443.pem'));
  assert.equal(statSync(issued.keyFile!).mode & 0o777, 0o600);
  assert.equal(store.find((entry) => entry.key.host === 'manual.contoso.test')!.certStoreName, 'MY');
});

test('a certificate inside renewBefore is renewed', async () => {
  const { folder, configFile, storeFile } = setUp();
  let orders = 0;
  const lines: string[] = [];
  const manager = new AutomaticCertificates({
    configFile,
    storeFile,
    runDirectory: folder,
    logger: quietLogger(lines),
    isListening: async () => true,
    // 5 days of validity is inside renewBefore (10 days): every check renews it.
    order: async (_settings, host) => (host === 'www.contoso.test' ? (orders++, selfSigned(folder, host, 5)) : Promise.reject(new Error('no'))),
  });
  await manager.check();
  await manager.check();
  await manager.stop();
  assert.equal(orders, 2);
  assert.ok(lines.some((line) => line.startsWith('certificate of www.contoso.test:443 issued by https://acme.test/dir')));
  assert.ok(lines.some((line) => line.startsWith('certificate of www.contoso.test:443 renewed by https://acme.test/dir')));
});

test('a web farm orders once: while one host orders, the others leave the name to it and then find the new certificate in the shared store', async () => {
  const { folder, configFile, storeFile } = setUp();
  const shared = join(folder, 'share');
  let finishOrder: (issued: IssuedCertificate) => void = () => undefined;
  const ordered: string[] = [];
  const challengeRoots: string[] = [];
  const lines: string[][] = [[], []];
  const managers = ['host1', 'host2'].map(
    (hostName, index) =>
      new AutomaticCertificates({
        configFile,
        storeFile,
        runDirectory: join(folder, `run-${hostName}`),
        sharedFolder: shared,
        logger: quietLogger(lines[index]),
        isListening: async () => true,
        leaseHolder: { hostName, pid: 4242 },
        order: (_settings, host, challengeRoot) => {
          if (host !== 'www.contoso.test') return Promise.reject(new Error('not this one'));
          ordered.push(hostName);
          challengeRoots.push(challengeRoot);
          return new Promise<IssuedCertificate>((resolve) => (finishOrder = resolve));
        },
      }),
  );
  const [host1, host2] = managers as [AutomaticCertificates, AutomaticCertificates];
  const first = host1.check();
  for (let turn = 0; turn < 100 && ordered.length === 0; turn++) await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(ordered, ['host1']);
  const leaseFile = join(folder, 'acme', 'www.contoso.test-443.order-lease');
  assert.equal(statSync(leaseFile).mode & 0o777, 0o600);
  await host2.check();
  await host2.check();
  assert.deepEqual(ordered, ['host1'], 'host 2 does not order while host 1 holds the lease');
  assert.equal(lines[1]!.filter((line) => /^the certificate of www\.contoso\.test:443 is being ordered by host1 \(pid 4242\) since .*; this host leaves the order to it$/.test(line)).length, 1, 'said once');
  assert.deepEqual(challengeRoots, [shared], 'the answers go to the share, where every host\'s httpsys looks');

  finishOrder(selfSigned(folder, 'www.contoso.test', 90));
  await first;
  assert.throws(() => statSync(leaseFile), /ENOENT/, 'the lease ends with the order');
  await host2.check();
  assert.deepEqual(ordered, ['host1'], 'host 2 finds the new certificate and orders nothing');
  await Promise.all(managers.map((manager) => manager.stop()));
});

test('redirection.config followed at every check: the configuration, SSL store and challenge folder of the shared folder it names now; a refused edit keeps them', async () => {
  const { folder, configFile: sharedText } = setUp();
  const local = join(folder, 'local');
  const shares = [join(folder, 'share-a'), join(folder, 'share-b')] as const;
  for (const share of [local, ...shares]) mkdirSync(share, { recursive: true });
  for (const share of shares) writeFileSync(join(share, 'applicationHost.config'), readFileSync(sharedText));
  // The local file has no ACME binding: only the shared one's are ordered.
  const localFile = join(local, 'applicationHost.config');
  writeFileSync(localFile, '<configuration><system.applicationHost><applicationPools /><sites /></system.applicationHost></configuration>');
  const redirectTo = (share: string, extra = '') => writeFileSync(join(local, 'redirection.config'), `<configuration><configurationRedirection enabled="true" path="${share}"${extra} /></configuration>`);
  redirectTo(shares[0]);
  const challengeRoots: string[] = [];
  const lines: string[] = [];
  const manager = new AutomaticCertificates({
    configFile: localFile,
    followRedirection: true,
    storeFile: join(shares[0], 'sslcert.json'),
    sharedFolder: shares[0],
    runDirectory: join(folder, 'run'),
    logger: quietLogger(lines),
    isListening: async () => true,
    order: async (_settings, host, challengeRoot) => {
      if (host !== 'www.contoso.test') throw new Error('not this one');
      challengeRoots.push(challengeRoot);
      return selfSigned(folder, host, 90);
    },
  });
  await manager.check();
  assert.deepEqual(challengeRoots, [shares[0]]);
  assert.equal(readSslStore(join(shares[0], 'sslcert.json')).bindings.length, 1);

  redirectTo(shares[1]);
  await manager.check();
  assert.deepEqual(challengeRoots, [shares[0], shares[1]], "B's store has no certificate: ordered, answers in B");
  assert.equal(readSslStore(join(shares[1], 'sslcert.json')).bindings.length, 1);
  assert.ok(lines.some((line) => line === `automatic certificates follow redirection.config: SSL store ${join(shares[1], 'sslcert.json')}, challenge answers in ${shares[1]}`));

  // Refused as was refuses them: redirection.config broken, or naming a folder whose file cannot be used.
  const kept = () => lines.filter((line) => line.startsWith('automatic certificates keep the configuration read before: '));
  redirectTo(shares[0], ' polingPeriod="00:00:05"');
  await manager.check();
  assert.match(kept()[0] ?? '', /redirection\.config:1:\d+: Unrecognized attribute 'polingPeriod'/);
  redirectTo(join(folder, 'nowhere'));
  await manager.check();
  assert.match(kept()[1] ?? '', /nowhere\/applicationHost\.config cannot be read: no such file/);
  assert.equal(challengeRoots.length, 2, 'nothing ordered meanwhile');
  await manager.stop();
});
