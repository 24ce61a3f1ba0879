// Farm-wide TLS secrets: two poolhost hosts (the second in its own network namespace, so both bind the
// same https port as two machines would) with one shared folder holding applicationHost.config, the SSL
// store (sslcert.json), its certificates, a Centralized Certificate Store folder and the TLS session
// ticket secret (tlsSessionTicketKeys.key). Real openssl s_client throughout: a session from host 1
// resumes on host 2 and back; a new secret (rotation) is taken by both; `poolhost sslcert add` on host 1,
// a certificate replaced in place and a file dropped in the CCS are served by both; a broken secret or
// certificate leaves both on the old one; the share away, both keep serving and resuming, and host 2
// restarted in that state comes up on its local copies.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPoolhost, poolhostBin, type PoolhostInstance } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort } from '../support/http.js';
import { waitFor } from '../support/wait.js';
import { createNetworkNamespace } from '../support/network-namespace.js';
import { run } from '../support/tls-clients.js';
import { TestCertificateAuthority, type IssuedCertificate } from '../support/test-certificates.js';

const KEY_FILE = 'tlsSessionTicketKeys.key';

/** Writes a file the way an administrator's tool should: a temp file with the mode, renamed over the old one. */
function replaceFile(file: string, contents: string | Buffer, mode = 0o600): void {
  const temp = `${file}.new`;
  writeFileSync(temp, contents, { mode });
  chmodSync(temp, mode);
  renameSync(temp, file);
}

test('two hosts, one shared folder: sessions resume on either host, rotations and certificates reach both, broken files and a missing share change nothing', async () => {
  const port = await freePort();
  const shared = mkdtempSync(join(tmpdir(), 'poolhost-farm-tls-'));
  const away = `${shared}.away`;
  const authority = new TestCertificateAuthority(mkdtempSync(join(tmpdir(), 'poolhost-farm-ca-')));
  after(() => {
    rmSync(shared, { recursive: true, force: true });
    rmSync(away, { recursive: true, force: true });
    rmSync(authority.directory, { recursive: true, force: true });
  });
  mkdirSync(join(shared, 'ssl'), { mode: 0o700 });
  mkdirSync(join(shared, 'ccs'), { mode: 0o700 });
  const install = (certificate: IssuedCertificate, name: string) => {
    replaceFile(join(shared, 'ssl', `${name}.key`), readFileSync(certificate.keyFile));
    replaceFile(join(shared, 'ssl', `${name}.pem`), readFileSync(certificate.certFile), 0o644);
  };
  const www = authority.issue('www', ['www.example.test']);
  install(www, 'www');
  writeFileSync(
    join(shared, 'applicationHost.config'),
    applicationHostConfig({
      pools: [{ name: 'DefaultAppPool' }],
      sites: [{ name: 'Www', id: 1, bindings: [`https/*:${port}:`], applications: [{ path: '/', physicalPath: '%SystemDrive%\\www' }] }],
    }).replaceAll('{{root}}', '%SystemDrive%'),
  );
  // Paths relative to sslcert.json: the store reads the same on every host, wherever the share is mounted.
  writeFileSync(
    join(shared, 'sslcert.json'),
    `${JSON.stringify({ sslcert: [{ ipport: `0.0.0.0:${port}`, certfile: 'ssl/www.pem', keyfile: 'ssl/www.key' }, { ccs: String(port), certstorelocation: 'ccs' }] }, null, 2)}\n`,
  );
  const host = (name: string) => ({
    config: applicationHostConfig({ pools: [{ name: 'LocalOnly' }], sites: [] }),
    files: {
      'redirection.config': `<configuration>\n  <configurationRedirection enabled="true" path="${shared}" pollingPeriod="00:00:02" />\n</configuration>\n`,
      'www/host.txt': name,
    },
  });
  const host1 = await startPoolhost({ ...host('host1'), waitForPort: port }, after);
  const namespace = createNetworkNamespace();
  after(() => namespace.remove());
  const host2 = await startPoolhost({ ...host('host2'), commandPrefix: namespace.commandPrefix }, after);
  const hosts: Array<{ name: string; instance: PoolhostInstance; address: string }> = [
    { name: 'host1', instance: host1, address: '127.0.0.1' },
    { name: 'host2', instance: host2, address: namespace.address },
  ];
  const [one, two] = hosts as [(typeof hosts)[number], (typeof hosts)[number]];

  const sClient = (entry: (typeof hosts)[number], serverName: string, ...extra: string[]) =>
    run('openssl', ['s_client', '-connect', `${entry.address}:${port}`, '-servername', serverName, '-CAfile', authority.caFile, '-tls1_2', ...extra]);
  const serialOf = async (entry: (typeof hosts)[number], serverName = 'www.example.test'): Promise<string | null> => {
    const result = await sClient(entry, serverName);
    const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(result.stdout)?.[0];
    return pem && /Verify return code: 0 \(ok\)/.test(result.stdout) ? new X509Certificate(pem).serialNumber.toUpperCase() : null;
  };
  const everyHost = (what: string, condition: (entry: (typeof hosts)[number]) => Promise<boolean> | boolean, timeoutMs = 20_000) =>
    Promise.all(hosts.map((entry) => waitFor(`${entry.name}: ${what}`, () => condition(entry), timeoutMs, 200)));
  const serves = (serial: string, serverName = 'www.example.test') => async (entry: (typeof hosts)[number]) => (await serialOf(entry, serverName)) === serial;
  let sessions = 0;
  /** A TLS 1.2 session (its ticket) from a full handshake with `entry`. */
  const newSession = async (entry: (typeof hosts)[number]): Promise<string> => {
    const file = join(authority.directory, `session-${++sessions}.pem`);
    const result = await sClient(entry, 'www.example.test', '-sess_out', file);
    assert.match(result.stdout, /^New, TLSv1\.2/m, `${entry.name}: ${result.stdout}${result.stderr}`);
    return file;
  };
  const resumes = async (entry: (typeof hosts)[number], session: string): Promise<boolean> => {
    const result = await sClient(entry, 'www.example.test', '-sess_in', session);
    assert.match(result.stdout, /^(New|Reused), TLSv1\.2/m, `${entry.name}: handshake failed: ${result.stdout}${result.stderr}`);
    return /^Reused, TLSv1\.2/m.test(result.stdout);
  };
  const logged = (entry: (typeof hosts)[number], pattern: RegExp) => entry.instance.logLines.some((line) => pattern.test(String(line.msg)));

  // Both serve the shared store's certificate; the first httpsys made the farm's secret, 0600, and each
  // host keeps a 0600 copy of it beside its redirection.config.
  await everyHost('serves the shared certificate', serves(www.serial), 45_000);
  const keyFile = join(shared, KEY_FILE);
  assert.equal(statSync(keyFile).mode & 0o777, 0o600);
  const secret = readFileSync(keyFile, 'utf8');
  assert.match(secret, /"secret":"[A-Za-z0-9+/]{43}="/);
  for (const entry of hosts) {
    const copy = join(entry.instance.root, 'tlsSessionTicketKeys.shared-cache.key');
    await waitFor(`${entry.name}: local copy of the secret`, () => {
      try {
        return readFileSync(copy, 'utf8') === secret;
      } catch {
        return false;
      }
    });
    assert.equal(statSync(copy).mode & 0o777, 0o600, `${entry.name}: copy mode`);
  }

  // A ticket from host 1 resumes on host 2, and one from host 2 on host 1.
  const fromOne = await newSession(one);
  assert.ok(await resumes(two, fromOne), 'a session of host 1 resumes on host 2');
  const fromTwo = await newSession(two);
  assert.ok(await resumes(one, fromTwo), 'a session of host 2 resumes on host 1');

  // A new secret (the farm's rotation at once, as after a compromise): both take it, old tickets get a
  // full handshake on both, new ones resume across hosts.
  replaceFile(keyFile, `${JSON.stringify({ secret: Buffer.alloc(32, 7).toString('base64'), rotationSeconds: 43200 })}\n`);
  await everyHost('no longer resumes a ticket of the old secret', async (entry) => !(await resumes(entry, fromOne)));
  const rotated = await newSession(one);
  assert.ok(await resumes(two, rotated), 'after the rotation a session of host 1 resumes on host 2');

  // A broken secret: both log it, with the file and the reason, and keep the keys they had.
  replaceFile(keyFile, 'not a secret\n');
  await everyHost('logs the broken secret', (entry) => logged(entry, new RegExp(`${keyFile} cannot be used: not valid JSON at 1:1 \\(expected a value[^)]*\\)\\); the keys read before stay in force`)));
  for (const entry of hosts) assert.ok(await resumes(entry, rotated), `${entry.name} still resumes with the last good keys`);
  const duringBroken = await newSession(two);
  assert.ok(await resumes(one, duringBroken), 'sessions still resume across hosts with a broken secret on the share');
  replaceFile(keyFile, `${JSON.stringify({ secret: Buffer.alloc(32, 7).toString('base64'), rotationSeconds: 43200 })}\n`, 0o644);
  await everyHost('refuses a secret others can read', (entry) => logged(entry, new RegExp(`${keyFile} cannot be used: readable by group or others \\(mode 644\\)`)));
  chmodSync(keyFile, 0o600);

  // `poolhost sslcert add` on host 1 writes the shared store: host 2 serves the new entry too.
  const api = authority.issue('api', ['api.example.test']);
  install(api, 'api');
  const added = await run(process.execPath, [
    poolhostBin, 'sslcert', 'add', `hostnameport=api.example.test:${port}`,
    `certfile=${join(shared, 'ssl', 'api.pem')}`, `keyfile=${join(shared, 'ssl', 'api.key')}`, '--config', host1.configFile,
  ]);
  assert.equal(added.code, 0, added.stdout + added.stderr);
  assert.match(readFileSync(join(shared, 'sslcert.json'), 'utf8'), /api\.example\.test/);
  await everyHost('serves the certificate added on host 1', serves(api.serial, 'api.example.test'));

  // A certificate replaced in place on the share: both serve the new serial.
  const www2 = authority.issue('www2', ['www.example.test']);
  install(www2, 'www');
  await everyHost('serves the replaced certificate', serves(www2.serial));

  // A file dropped in the shared Centralized Certificate Store: both serve it for its name.
  const shop = authority.issue('shop', ['shop.example.test']);
  assert.equal(await serialOf(one, 'shop.example.test'), www2.serial, 'no CCS file yet: the ipport certificate');
  replaceFile(join(shared, 'ccs', 'shop.example.test.pem'), Buffer.concat([readFileSync(shop.certFile), readFileSync(shop.keyFile)]));
  await everyHost('serves the certificate dropped in the CCS', serves(shop.serial, 'shop.example.test'));
  // Each host copies the store and its files (0600) beside its redirection.config once all of it loaded.
  await everyHost('keeps a local copy of the store with the CCS file', (entry) => {
    const cache = join(entry.instance.root, 'sslcert.shared-cache');
    try {
      const ccs = readdirSync(cache).find((name) => name.startsWith('ccs-'));
      return ccs !== undefined && (statSync(join(cache, ccs, 'shop.example.test.pem')).mode & 0o777) === 0o600;
    } catch {
      return false;
    }
  });

  // A broken certificate on the share: both log it and keep serving the one they had.
  replaceFile(join(shared, 'ssl', 'www.pem'), 'not a certificate\n', 0o644);
  await everyHost('logs the broken certificate', (entry) => logged(entry, new RegExp(`certificate of ipport=0\\.0\\.0\\.0:${port} not replaced, serial ${www2.serial} still served: .*www\\.pem`)));
  for (const entry of hosts) assert.equal(await serialOf(entry), www2.serial, `${entry.name} still serves the last good certificate`);

  // The share goes away: both keep serving and resuming; host 2 restarted in that state comes up on its
  // local copies (configuration, SSL store and certificates, ticket secret) and resumes host 1's session.
  const beforeAway = await newSession(one);
  renameSync(shared, away);
  await everyHost('logs the shared store unreadable', (entry) => logged(entry, /the shared SSL store .*sslcert\.json cannot be read \(no such file/));
  for (const entry of hosts) {
    assert.equal(await serialOf(entry), www2.serial, `${entry.name} serves with the share away`);
    assert.ok(await resumes(entry, beforeAway), `${entry.name} resumes with the share away`);
  }
  await host2.stop();
  await host2.start();
  await waitFor('host2 serves https on its local copies', () => serves(www2.serial)(two), 45_000, 200);
  assert.ok(logged(two, /starting on its local copy .*sslcert\.shared-cache\/sslcert\.json/), 'host 2 says it started on the local copy of the store');
  assert.ok(logged(two, /come from the cached copy .*tlsSessionTicketKeys\.shared-cache\.key/), 'host 2 says it took the cached ticket secret');
  assert.equal(await serialOf(two, 'api.example.test'), api.serial, 'the added entry survives the restart');
  assert.equal(await serialOf(two, 'shop.example.test'), shop.serial, 'the CCS file survives the restart');
  assert.ok(await resumes(two, beforeAway), 'host 2, restarted with the share away, resumes a session of host 1');
  assert.ok(await resumes(one, await newSession(two)), 'and host 1 resumes one of the restarted host 2');

  // The share back: both read it again.
  renameSync(away, shared);
  await waitFor('host2: the shared store is in force again', () => logged(two, /the shared SSL store .*sslcert\.json is in force again/), 20_000, 200);
});
