import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSslCertKey, parseSslStore, serializeSslStore, sslStorePath } from '../../src/index.js';

test('netsh keys: ipport wildcards and IPv6 in brackets, hostnameport lower-cased, ccs a port', () => {
  assert.deepEqual(parseSslCertKey('ipport', '0.0.0.0:443'), { ok: true, key: { kind: 'ipport', host: '0.0.0.0', port: 443 } });
  assert.deepEqual(parseSslCertKey('ipport', '[::]:443'), { ok: true, key: { kind: 'ipport', host: '::', port: 443 } });
  assert.deepEqual(parseSslCertKey('ipport', '[0:0::1]:8443'), { ok: true, key: { kind: 'ipport', host: '::1', port: 8443 } });
  assert.deepEqual(parseSslCertKey('hostnameport', 'WWW.Contoso.com:443'), { ok: true, key: { kind: 'hostnameport', host: 'www.contoso.com', port: 443 } });
  assert.deepEqual(parseSslCertKey('ccs', '443'), { ok: true, key: { kind: 'ccs', host: '', port: 443 } });
  assert.match((parseSslCertKey('ipport', '::1:443') as { reason: string }).reason, /IPv6 address is written in brackets/);
  assert.match((parseSslCertKey('ipport', 'www.contoso.com:443') as { reason: string }).reason, /is not an IP address/);
  assert.match((parseSslCertKey('hostnameport', 'www.contoso.com:99999') as { reason: string }).reason, /outside 1-65535/);
});

test('the store file: entries with netsh parameter names; bad entries refused by index, the rest kept; round trip', () => {
  const text = JSON.stringify({
    sslcert: [
      { hostnameport: 'www.contoso.com:443', certfile: 'ssl/www.pem', keyfile: '/etc/ssl/www.key' },
      { ipport: '0.0.0.0:443', certfile: '/etc/ssl/default.pfx', passwordenv: 'PFX_PASSWORD' },
      { ccs: '443', certstorelocation: '/etc/ccs' },
      { ipport: '0.0.0.0:443', certfile: '/etc/ssl/other.pem' },
      { hostnameport: 'api.contoso.com:443', certhash: 'abc' },
      { ccs: '8443', certfile: '/x.pem' },
    ],
  });
  const { bindings, errors } = parseSslStore(text, '/etc/poolhost/sslcert.json');
  assert.equal(bindings.length, 3);
  assert.equal(bindings[0]!.certFile, '/etc/poolhost/ssl/www.pem', 'relative to the store file');
  assert.equal(bindings[0]!.certStoreName, 'WebHosting');
  assert.equal(bindings[1]!.passwordEnv, 'PFX_PASSWORD');
  assert.deepEqual(errors, [
    '/etc/poolhost/sslcert.json: sslcert[3]: ipport=0.0.0.0:443 is already in the store',
    '/etc/poolhost/sslcert.json: sslcert[4]: unknown parameter "certhash"',
    '/etc/poolhost/sslcert.json: sslcert[5]: ccs= needs certstorelocation=<folder of <host>.pfx or <host>.pem files>',
  ]);
  const again = parseSslStore(serializeSslStore(bindings), '/etc/poolhost/sslcert.json');
  assert.deepEqual(again, { bindings, errors: [] });
  assert.equal(parseSslStore('{', '/s.json').errors[0]!, '/s.json:1:2: not valid JSON: the text ends where a member name in double quotes was expected');
});

test('where the store lives: POOLHOST_SSL_STORE, the shared folder of an enabled redirection.config, else beside the file', () => {
  const folder = mkdtempSync(join(tmpdir(), 'poolhost-store-path-'));
  try {
    const config = join(folder, 'applicationHost.config');
    assert.equal(sslStorePath(config, {}), join(folder, 'sslcert.json'));
    writeFileSync(join(folder, 'redirection.config'), '<configuration>\n  <configurationRedirection enabled="true" path="share" />\n</configuration>\n');
    assert.equal(sslStorePath(config, {}), join(folder, 'share', 'sslcert.json'), 'the farm\'s store, in the shared folder');
    assert.equal(sslStorePath(config, { POOLHOST_SSL_STORE: '/etc/own.json' }), '/etc/own.json');
    assert.equal(sslStorePath(config, {}, null), join(folder, 'sslcert.json'), 'a redirection already read (none) is not read again');
    writeFileSync(join(folder, 'redirection.config'), '<configuration>\n  <configurationRedirection enabled="false" path="share" />\n</configuration>\n');
    assert.equal(sslStorePath(config, {}), join(folder, 'sslcert.json'));
    writeFileSync(join(folder, 'redirection.config'), '<configuration>\n  <configurationRedirection enabled="true" pth="share" />\n</configuration>\n');
    assert.throws(() => sslStorePath(config, {}), /redirection\.config:2:/, 'a broken redirection.config is never taken for a local store');
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});
