// A shared SSL store (sslcert.json in the shared folder): copied 0600 with its certificates beside
// redirection.config, kept in force when the share goes away, and started from the copy by a new httpsys.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { SslConfiguration } from '../../src/ssl/ssl-configuration.js';
import { SharedSslStoreCache } from '../../src/ssl/shared-ssl-store-cache.js';

const root = mkdtempSync(join(tmpdir(), 'poolhost-shared-store-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('the share away: entries stay; a new httpsys starts on the 0600 copy; the share back: in force again', () => {
  const shared = join(root, 'share');
  const local = join(root, 'host');
  mkdirSync(join(shared, 'ssl'), { recursive: true });
  mkdirSync(join(shared, 'ccs'));
  mkdirSync(local);
  const certificate = (name: string, file: string) => {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${file}.key`, '-out', `${file}.pem`, '-days', '2', '-subj', `/CN=${name}`], { stdio: 'ignore' });
    chmodSync(`${file}.key`, 0o600);
  };
  certificate('www.example.test', join(shared, 'ssl', 'www'));
  certificate('shop.example.test', join(root, 'shop'));
  writeFileSync(join(shared, 'ccs', 'shop.example.test.pem'), Buffer.concat([readFileSync(join(root, 'shop.pem')), readFileSync(join(root, 'shop.key'))]), { mode: 0o600 });
  const storeFile = join(shared, 'sslcert.json');
  writeFileSync(storeFile, JSON.stringify({ sslcert: [{ ipport: '0.0.0.0:443', certfile: 'ssl/www.pem', keyfile: 'ssl/www.key' }, { ccs: '443', certstorelocation: 'ccs' }] }));
  const messages: string[] = [];
  const logger = pino({ level: 'info' }, new Writable({ write: (chunk: Buffer, _encoding, done) => (messages.push(JSON.parse(chunk.toString()).msg), done()) }));
  const httpsys = () => {
    const ssl = new SslConfiguration(storeFile, logger);
    ssl.useSharedStore(new SharedSslStoreCache(local), 2_000);
    return ssl;
  };
  let now = 1_000_000;
  const first = httpsys();
  first.refresh(now);
  const www = first.select('10.0.0.1', 443, '')!.serial;
  const shop = first.select('10.0.0.1', 443, 'shop.example.test')!.serial;
  assert.notEqual(www, shop);
  first.refresh((now += 1_000));
  const cache = join(local, 'sslcert.shared-cache');
  const copied = readdirSync(cache, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
  assert.ok(copied.length >= 4, 'the store, the certificate, its key, the CCS file');
  for (const entry of copied) assert.equal(statSync(join(entry.parentPath ?? entry.path, entry.name)).mode & 0o777, 0o600, entry.name);

  renameSync(shared, `${shared}.away`);
  first.refresh((now += 2_000));
  first.refresh((now += 2_000));
  assert.equal(first.select('10.0.0.1', 443, '')?.serial, www, 'the share away: the certificate stays');
  assert.equal(first.select('10.0.0.1', 443, 'shop.example.test')?.serial, shop);
  assert.equal(messages.filter((message) => message.startsWith(`the shared SSL store ${storeFile} cannot be read (no such file`)).length, 1, 'logged once');
  const ccsCopy = readdirSync(cache).find((name) => name.startsWith('ccs-'))!;
  assert.deepEqual(readdirSync(join(cache, ccsCopy)), ['shop.example.test.pem'], 'the copy is never emptied while the share is away');

  const restarted = httpsys();
  restarted.refresh((now += 1_000));
  assert.equal(restarted.select('10.0.0.1', 443, '')?.serial, www, 'a new httpsys serves the copy');
  assert.equal(restarted.select('10.0.0.1', 443, 'shop.example.test')?.serial, shop, 'the CCS file too');
  assert.ok(messages.some((message) => message.includes(`starting on its local copy ${join(cache, 'sslcert.json')}`)));

  renameSync(`${shared}.away`, shared);
  restarted.refresh((now += 2_000));
  assert.ok(messages.includes(`the shared SSL store ${storeFile} is in force again`));
  assert.equal(restarted.select('10.0.0.1', 443, '')?.serial, www);
});
