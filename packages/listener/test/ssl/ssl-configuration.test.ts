// Certificate selection of the SSL store (HTTP.SYS' order), with real certificate files made by openssl.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, chmodSync, readFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { SslConfiguration } from '../../src/ssl/ssl-configuration.js';

const folder = mkdtempSync(join(tmpdir(), 'poolhost-ssl-'));
after(() => rmSync(folder, { recursive: true, force: true }));

function certificate(name: string, keyMode = 0o600): { cert: string; key: string } {
  const cert = join(folder, `${name}.pem`);
  const key = join(folder, `${name}.key`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', `/CN=${name}`], { stdio: 'ignore' });
  chmodSync(key, keyMode);
  return { cert, key };
}

function subjectOf(selected: ReturnType<SslConfiguration['select']>): string | null {
  return selected ? selected.subject : null;
}

test('selection: exact host name, *. parent, CCS folder, IP:port, the family wildcard; nothing else', () => {
  const www = certificate('www.example.test');
  const wildcard = certificate('wild');
  const ip = certificate('ip');
  const v4 = certificate('v4');
  const v6 = certificate('v6');
  const central = certificate('central');
  const ccs = join(folder, 'ccs');
  mkdirSync(ccs);
  writeFileSync(join(ccs, 'ccs.example.test.pem'), Buffer.concat([readFileSync(central.cert), readFileSync(central.key)]), { mode: 0o600 });
  const store = join(folder, 'sslcert.json');
  writeFileSync(
    store,
    JSON.stringify({
      sslcert: [
        { hostnameport: 'www.example.test:443', certfile: www.cert, keyfile: www.key },
        { hostnameport: '*.example.test:443', certfile: wildcard.cert, keyfile: wildcard.key },
        { ipport: '192.0.2.10:443', certfile: ip.cert, keyfile: ip.key },
        { ipport: '0.0.0.0:443', certfile: v4.cert, keyfile: v4.key },
        { ipport: '[::]:443', certfile: v6.cert, keyfile: v6.key },
        { ccs: '443', certstorelocation: ccs },
      ],
    }),
  );
  const ssl = new SslConfiguration(store, pino({ level: 'silent' }));
  ssl.refresh();
  assert.equal(subjectOf(ssl.select('192.0.2.10', 443, 'www.example.test')), 'CN=www.example.test');
  assert.equal(subjectOf(ssl.select('192.0.2.10', 443, 'api.example.test')), 'CN=wild');
  assert.equal(subjectOf(ssl.select('192.0.2.10', 443, 'ccs.example.test')), 'CN=wild', 'a hostnameport entry (even *.) before CCS');
  assert.equal(subjectOf(ssl.select('192.0.2.99', 443, 'other.test')), 'CN=v4');
  assert.equal(subjectOf(ssl.select('192.0.2.10', 443, 'other.test')), 'CN=ip');
  assert.equal(subjectOf(ssl.select('192.0.2.10', 443, '')), 'CN=ip');
  assert.equal(subjectOf(ssl.select('2001:db8::1', 443, '')), 'CN=v6');
  assert.equal(ssl.select('192.0.2.10', 8443, 'www.example.test'), null, 'another port: nothing');
});

test('the CCS folder serves names without a hostnameport entry; a key readable by others is refused and named', () => {
  const central = certificate('app.central.test');
  const open = certificate('open', 0o644);
  const ccs = join(folder, 'ccs2');
  mkdirSync(ccs);
  writeFileSync(join(ccs, '_.central.test.pem'), Buffer.concat([readFileSync(central.cert), readFileSync(central.key)]), { mode: 0o600 });
  const store = join(folder, 'sslcert2.json');
  writeFileSync(store, JSON.stringify({ sslcert: [{ ccs: '443', certstorelocation: ccs }, { ipport: '0.0.0.0:443', certfile: open.cert, keyfile: open.key }] }));
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
  const ssl = new SslConfiguration(store, logger);
  ssl.refresh();
  assert.equal(subjectOf(ssl.select('192.0.2.1', 443, 'app.central.test')), 'CN=app.central.test');
  assert.equal(ssl.select('192.0.2.1', 443, 'nobody.test'), null, 'the ipport entry could not be loaded');
  assert.ok(lines.some((line) => line.includes('open.key: holds a private key and is readable by group or others (mode 644); chmod 600 it')));
});
