// TLS-ALPN-01 challenge certificates (RFC 8737) read from the run directory, with real files made by openssl.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acmeTlsAlpnDirectory } from '@poolhost/protocol';
import { AcmeTlsAlpnAnswers } from '../../src/ssl/acme-tls-alpn-answers.js';

test('a pending name gets its challenge certificate; an unknown name, a path or a broken file gets none', () => {
  const runDirectory = mkdtempSync(join(tmpdir(), 'poolhost-tls-alpn-'));
  const folder = acmeTlsAlpnDirectory(runDirectory);
  mkdirSync(folder, { recursive: true });
  const key = join(runDirectory, 'challenge.key');
  const cert = join(runDirectory, 'challenge.crt');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=www.acme.test'], { stdio: 'ignore' });
  writeFileSync(join(folder, 'www.acme.test.pem'), readFileSync(cert, 'latin1') + readFileSync(key, 'latin1'));
  writeFileSync(join(folder, 'broken.acme.test.pem'), 'half a file');
  const answers = new AcmeTlsAlpnAnswers(runDirectory);
  assert.ok(answers.contextFor('www.acme.test'), 'pending');
  assert.ok(answers.contextFor('WWW.Acme.Test'), 'SNI names are case-insensitive');
  assert.equal(answers.contextFor('other.acme.test'), null, 'not pending');
  assert.equal(answers.contextFor('broken.acme.test'), null, 'a broken file answers nothing');
  assert.equal(answers.contextFor('../../etc/passwd'), null, 'never a path');
  assert.equal(answers.contextFor('..'), null);
});
