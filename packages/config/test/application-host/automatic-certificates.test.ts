// <automaticCertificates> (poolhost's ACME extension) and bindings with certificateSource="acme".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../src/index.js';
import { parseApplicationHostConfig } from '../../src/application-host/load-application-host-config.js';

const FILE = '/srv/iis/applicationHost.config';

function config(binding: string, element: string): string {
  return [
    '<configuration>',
    '<system.applicationHost>',
    '<applicationPools><add name="DefaultAppPool" /></applicationPools>',
    '<sites>',
    `<site name="S" id="1"><bindings>${binding}</bindings></site>`,
    '</sites>',
    element,
    '</system.applicationHost>',
    '</configuration>',
  ].join('\n');
}

const acmeBinding =
  '<binding protocol="https" bindingInformation="*:443:www.contoso.test" sslFlags="1" certificateSource="acme" />' +
  '<binding protocol="http" bindingInformation="*:80:www.contoso.test" />';

function firstIssue(text: string): { code: string; line: number; column: number; message: string } {
  try {
    parseApplicationHostConfig(text, FILE, { env: {} });
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    const issue = error.issues[0]!;
    return { code: issue.code, line: issue.line, column: issue.column, message: issue.message };
  }
  assert.fail('the configuration loaded');
}

test('the element with its defaults, the folder beside applicationHost.config; the binding asks for ACME', () => {
  const loaded = parseApplicationHostConfig(config(acmeBinding, '<automaticCertificates directoryUrl="https://acme.test/dir" contact="mailto:a@contoso.test" renewBefore="00:00:40" />'), FILE, { env: {} });
  assert.deepEqual(loaded.automaticCertificates, {
    directoryUrl: 'https://acme.test/dir',
    contact: 'mailto:a@contoso.test',
    termsOfServiceAgreed: false,
    caBundle: '',
    certificateStoreLocation: '/srv/iis/acme',
    keyType: 'EcdsaP256',
    renewBefore: 40_000,
    checkInterval: 3_600_000,
    retryInterval: 60_000,
    maxRetryInterval: 86_400_000,
    challengeType: 'http-01',
    dnsCreateScript: '',
    dnsCreateScriptArguments: 'create {Identifier} {RecordName} {Token}',
    dnsDeleteScript: '',
    dnsDeleteScriptArguments: 'delete {Identifier} {RecordName} {Token}',
    dnsScriptTimeout: 120_000,
    dnsPropagationDelay: 0,
  });
  assert.equal(loaded.sites[0]!.bindings[0]!.certificateSource, 'acme');
});

test('an attribute the element does not know is refused with its position', () => {
  assert.deepEqual(firstIssue(config(acmeBinding, '<automaticCertificates directoryUrl="https://acme.test/dir" renewDays="30" />')), {
    code: 'POOLHOST_CONFIG_UNKNOWN_ATTRIBUTE',
    line: 7,
    column: 61,
    message: "Unrecognized attribute 'renewDays' on <automaticCertificates>. Note that attribute names are case-sensitive",
  });
});

test('certificateSource="acme" without <automaticCertificates>, on http, or without a host name', () => {
  assert.deepEqual(firstIssue(config(acmeBinding, '')), {
    code: 'POOLHOST_CONFIG_ACME_BINDING',
    line: 5,
    column: 116,
    message: 'binding "https/*:443:www.contoso.test" has certificateSource="acme", but system.applicationHost has no <automaticCertificates> element',
  });
  const element = '<automaticCertificates directoryUrl="https://acme.test/dir" />';
  assert.match(firstIssue(config('<binding protocol="http" bindingInformation="*:80:a.test" certificateSource="acme" />', element)).message, /but it is an http binding/);
  assert.match(firstIssue(config('<binding protocol="https" bindingInformation="*:443:" certificateSource="acme" />', element)).message, /but it has no single host name/);
  const withoutHttp = '<binding protocol="https" bindingInformation="*:443:www.contoso.test" certificateSource="acme" /><binding protocol="http" bindingInformation="*:80:other.test" />';
  assert.match(firstIssue(config(withoutHttp, element)).message, /but site "S" has no http binding for host "www\.contoso\.test" to answer the HTTP-01 challenge on$/);
  assert.equal(firstIssue(config(acmeBinding, '<automaticCertificates directoryUrl="http://acme.test/dir" />')).code, 'POOLHOST_CONFIG_ACME_DIRECTORY_URL');
  assert.equal(firstIssue(config(acmeBinding, '<automaticCertificates contact="mailto:a@b.test" />')).code, 'POOLHOST_CONFIG_MISSING_ATTRIBUTE');
});

test('tls-alpn-01 needs no http binding; dns-01 takes a wildcard name and its script, resolved beside applicationHost.config', () => {
  const httpsOnly = '<binding protocol="https" bindingInformation="*:443:www.contoso.test" sslFlags="1" certificateSource="acme" />';
  const alpn = parseApplicationHostConfig(config(httpsOnly, '<automaticCertificates directoryUrl="https://acme.test/dir" challengeType="TLS-ALPN-01" />'), FILE, { env: {} });
  assert.equal(alpn.automaticCertificates!.challengeType, 'tls-alpn-01');
  const wildcard = '<binding protocol="https" bindingInformation="*:443:*.contoso.test" sslFlags="1" certificateSource="acme" />';
  const dns = parseApplicationHostConfig(
    config(wildcard, '<automaticCertificates directoryUrl="https://acme.test/dir" challengeType="dns-01" dnsCreateScript="scripts/dns.sh" dnsPropagationDelay="00:00:05" />'),
    FILE,
    { env: {} },
  );
  assert.equal(dns.sites[0]!.bindings[0]!.certificateSource, 'acme');
  assert.equal(dns.sites[0]!.bindings[0]!.host, '*.contoso.test');
  assert.equal(dns.automaticCertificates!.dnsCreateScript, '/srv/iis/scripts/dns.sh');
  assert.equal(dns.automaticCertificates!.dnsDeleteScript, '');
  assert.equal(dns.automaticCertificates!.dnsPropagationDelay, 5_000);
});

test('an unknown challenge type, dns-01 without its script, a dns setting for another challenge and a wildcard outside dns-01 are refused where they are written', () => {
  const unknown = firstIssue(config(acmeBinding, '<automaticCertificates directoryUrl="https://acme.test/dir" challengeType="dns-02" />'));
  assert.equal(unknown.line, 7);
  assert.equal(unknown.column, 61);
  assert.match(unknown.message, /dns-02/);
  assert.deepEqual(firstIssue(config(acmeBinding, '<automaticCertificates directoryUrl="https://acme.test/dir" challengeType="dns-01" />')), {
    code: 'POOLHOST_CONFIG_MISSING_ATTRIBUTE',
    line: 7,
    column: 1,
    message: '<automaticCertificates> has no dnsCreateScript attribute, which is required',
  });
  assert.deepEqual(firstIssue(config(acmeBinding, '<automaticCertificates directoryUrl="https://acme.test/dir" dnsCreateScript="/usr/local/bin/dns" />')), {
    code: 'POOLHOST_CONFIG_ACME_CHALLENGE_ATTRIBUTE',
    line: 7,
    column: 61,
    message: 'dnsCreateScript is a setting of challengeType="dns-01", but this <automaticCertificates> validates with challengeType="http-01"',
  });
  const wildcard =
    '<binding protocol="https" bindingInformation="*:443:*.contoso.test" sslFlags="1" certificateSource="acme" /><binding protocol="http" bindingInformation="*:80:" />';
  const refused = firstIssue(config(wildcard, '<automaticCertificates directoryUrl="https://acme.test/dir" challengeType="tls-alpn-01" />'));
  assert.deepEqual([refused.code, refused.line, refused.column], ['POOLHOST_CONFIG_ACME_BINDING', 5, 114]);
  assert.match(refused.message, /but a wildcard name is validated by dns-01 only, and <automaticCertificates> has challengeType="tls-alpn-01"$/);
  assert.match(firstIssue(config('<binding protocol="https" bindingInformation="*:443:a.*.test" certificateSource="acme" />', '<automaticCertificates directoryUrl="https://acme.test/dir" challengeType="dns-01" dnsCreateScript="/x" />')).message, /no single host name/);
});
