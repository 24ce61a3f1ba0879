// `poolhost sslcert add|show|delete` with netsh's vocabulary and layout, applied by a running httpsys to
// new handshakes without a restart: an SNI entry, a PFX with its password in a file, and a Centralized
// Certificate Store folder (`<host>.pem`, `_` for a wildcard's `*`).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../support/http.js';
import { poolhostBin } from '../support/poolhost-instance.js';
import { childExit } from '../support/child-exit.js';
import { waitFor } from '../support/wait.js';
import { curlHttps, serverCertificate } from '../support/tls-clients.js';
import { newAuthority, startHttpsServer } from './https-support.js';

function sslcert(configFile: string, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [poolhostBin, 'sslcert', ...args, '--config', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return childExit(child).then(({ code }) => ({ code, stdout, stderr }));
}

test('sslcert add, show and delete edit the store; httpsys serves each change to new handshakes without restarting', async () => {
  const authority = newAuthority();
  const www = authority.issue('www', ['www.example.test']);
  const shop = authority.issue('shop', ['shop.example.test']);
  const pfx = authority.exportPfx(shop, 'shop.pfx', 'pfx secret');
  const passwordFile = join(authority.directory, 'pfx.password');
  writeFileSync(passwordFile, 'pfx secret\n', { mode: 0o600 });
  const wildcard = authority.issue('wildcard', ['*.ccs.example.test']);
  const central = join(authority.directory, 'ccs');
  mkdirSync(central, { mode: 0o700 });
  // A CCS file is named after the host, `_` for `*`; a PEM holds certificate, chain and key.
  writeFileSync(join(central, '_.ccs.example.test.pem'), Buffer.concat([readFileSync(wildcard.certFile), readFileSync(wildcard.keyFile)]), { mode: 0o600 });
  const port = await freePort();
  const poolhost = await startHttpsServer(
    {
      sites: [
        { name: 'Www', id: 1, bindings: [`https/*:${port}:www.example.test#1`] },
        { name: 'Shop', id: 2, bindings: [`https/*:${port}:shop.example.test#1`] },
        { name: 'Central', id: 3, bindings: [`https/*:${port}:app.ccs.example.test#3`] },
      ],
      store: [],
      waitForPort: port,
    },
    after,
  );
  const httpsysPid = poolhost.processes().find((info) => info.role === 'httpsys')!.pid;
  assert.equal((await serverCertificate(port, 'www.example.test', authority.caFile)).serial, null, 'empty store: no certificate');

  const added = await sslcert(poolhost.configFile, 'add', `hostnameport=www.example.test:${port}`, `certfile=${www.certFile}`, `keyfile=${www.keyFile}`);
  assert.equal(added.code, 0, added.stderr);
  assert.match(added.stdout, /SSL Certificate successfully added/);
  assert.equal((await sslcert(poolhost.configFile, 'add', `hostnameport=shop.example.test:${port}`, `certfile=${pfx}`, `passwordfile=${passwordFile}`)).code, 0);
  assert.equal((await sslcert(poolhost.configFile, 'add', `ccs=${port}`, `certstorelocation=${central}`)).code, 0);

  const duplicate = await sslcert(poolhost.configFile, 'add', `hostnameport=www.example.test:${port}`, `certfile=${www.certFile}`, `keyfile=${www.keyFile}`);
  assert.equal(duplicate.code, 1);
  assert.match(duplicate.stderr, /SSL Certificate add failed, Error: 183/);
  const mismatched = await sslcert(poolhost.configFile, 'add', `ipport=0.0.0.0:${port}`, `certfile=${www.certFile}`, `keyfile=${shop.keyFile}`);
  assert.equal(mismatched.code, 1);
  assert.match(mismatched.stderr, /Error: 1312\n.*the private key does not belong to the certificate/);

  const shown = await sslcert(poolhost.configFile, 'show', `hostnameport=www.example.test:${port}`);
  assert.equal(shown.code, 0);
  const thumbprint = new (await import('node:crypto')).X509Certificate(readFileSync(www.certFile)).fingerprint.replaceAll(':', '').toLowerCase();
  assert.match(shown.stdout, /^\nSSL Certificate bindings:\n-------------------------\n\n/);
  assert.match(shown.stdout, new RegExp(`    Hostname:port {16}: www\\.example\\.test:${port}\\n    Certificate Hash {13}: ${thumbprint}\\n`));
  assert.match(shown.stdout, /    Certificate Store Name {7}: WebHosting\n/);
  assert.match(shown.stdout, /    Verify Client Certificate Revocation : Disabled\n/);
  const all = await sslcert(poolhost.configFile, 'show');
  assert.match(all.stdout, new RegExp(`Central Certificate Store    : ${port}\\n`));

  await waitFor('the SNI entry served', async () => (await serverCertificate(port, 'www.example.test', authority.caFile)).serial === www.serial, 10_000);
  assert.equal((await curlHttps('www.example.test', port, '/', authority.caFile)).body, 'Www https /');
  await waitFor('the PFX entry served', async () => (await serverCertificate(port, 'shop.example.test', authority.caFile)).serial === shop.serial, 10_000);
  assert.equal((await curlHttps('shop.example.test', port, '/a', authority.caFile)).body, 'Shop https /a');
  const fromCentralStore = await curlHttps('app.ccs.example.test', port, '/c', authority.caFile);
  assert.equal(fromCentralStore.body, 'Central https /c', fromCentralStore.stderr);
  assert.equal((await serverCertificate(port, 'app.ccs.example.test', authority.caFile)).serial, wildcard.serial, '_.ccs.example.test.pem serves *.ccs.example.test');

  const deleted = await sslcert(poolhost.configFile, 'delete', `hostnameport=www.example.test:${port}`);
  assert.equal(deleted.code, 0);
  assert.match(deleted.stdout, /SSL Certificate successfully deleted/);
  await waitFor('the deleted entry no longer served', async () => (await serverCertificate(port, 'www.example.test', authority.caFile)).serial === null, 10_000);
  assert.equal((await sslcert(poolhost.configFile, 'delete', `hostnameport=www.example.test:${port}`)).code, 1);
  assert.equal(poolhost.processes().find((info) => info.role === 'httpsys')!.pid, httpsysPid, 'no restart');
});
