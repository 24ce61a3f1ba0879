// dns-01's DNS provider hook: win-acme's placeholders, one argument per template word, and a failing,
// hanging or missing script reported with what it said.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AutomaticCertificates } from '@poolhost/config';
import { dnsChallengeRecord, runDnsScript, scriptArguments } from '../../src/automatic-certificates/dns-script.js';

function settings(overrides: Partial<AutomaticCertificates>): AutomaticCertificates {
  return {
    directoryUrl: 'https://acme.test/dir',
    contact: '',
    termsOfServiceAgreed: true,
    caBundle: '',
    certificateStoreLocation: '/tmp/acme',
    keyType: 'EcdsaP256',
    renewBefore: 0,
    checkInterval: 1_000,
    retryInterval: 1_000,
    maxRetryInterval: 1_000,
    challengeType: 'dns-01',
    dnsCreateScript: '',
    dnsCreateScriptArguments: 'create {Identifier} {RecordName} {Token}',
    dnsDeleteScript: '',
    dnsDeleteScriptArguments: 'delete {Identifier} {RecordName} {Token}',
    dnsScriptTimeout: 5_000,
    dnsPropagationDelay: 0,
    ...overrides,
  };
}

function script(folder: string, name: string, body: string): string {
  const file = join(folder, name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

test('the record of a name and of a wildcard; placeholders replaced inside one argument each', () => {
  assert.deepEqual(dnsChallengeRecord('*.contoso.test', 'abc'), { identifier: 'contoso.test', recordName: '_acme-challenge.contoso.test', token: 'abc' });
  const record = dnsChallengeRecord('www.contoso.test', 'a b;$(x)');
  assert.deepEqual(scriptArguments('create  {Identifier} {RecordName} {Token}', record), ['create', 'www.contoso.test', '_acme-challenge.www.contoso.test', 'a b;$(x)']);
  assert.deepEqual(scriptArguments('--zone=contoso.test --name={RecordName}.', record), ['--zone=contoso.test', '--name=_acme-challenge.www.contoso.test.']);
});

test('the script runs with its arguments; a failure, a timeout and a missing script are reported', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'poolhost-dns-script-'));
  const out = join(folder, 'args');
  const record = dnsChallengeRecord('*.contoso.test', 'TXTvalue');
  await runDnsScript(settings({ dnsCreateScript: script(folder, 'ok.sh', `echo "$@" > ${out}`) }), 'create', record);
  assert.equal(readFileSync(out, 'utf8'), 'create contoso.test _acme-challenge.contoso.test TXTvalue\n');
  await runDnsScript(settings({ dnsDeleteScript: script(folder, 'delete.sh', `echo "$@" > ${out}`) }), 'delete', record);
  assert.equal(readFileSync(out, 'utf8'), 'delete contoso.test _acme-challenge.contoso.test TXTvalue\n');

  const failing = script(folder, 'fail.sh', 'echo "zone not found" >&2; exit 3');
  await assert.rejects(runDnsScript(settings({ dnsCreateScript: failing }), 'create', record), {
    message: `DNS create script ${failing} for _acme-challenge.contoso.test exited with code 3: zone not found`,
  });
  const hanging = script(folder, 'hang.sh', 'exec sleep 30');
  await assert.rejects(runDnsScript(settings({ dnsCreateScript: hanging, dnsScriptTimeout: 1_000 }), 'create', record), {
    message: `DNS create script ${hanging} for _acme-challenge.contoso.test was killed after dnsScriptTimeout (1 s)`,
  });
  await assert.rejects(runDnsScript(settings({ dnsCreateScript: join(folder, 'missing.sh') }), 'create', record), {
    message: `DNS create script ${join(folder, 'missing.sh')} for _acme-challenge.contoso.test could not run (ENOENT)`,
  });
});
