// Every validation error: its code, its message (naming the bad value and the fix) and its position.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../src/index.js';
import { parseApplicationHostConfig } from '../../src/application-host/load-application-host-config.js';

const FILE = '/srv/iis/applicationHost.config';

/** Wraps pool/site lines into a config; every fragment line keeps its own line number (fragment line 1 = file line 4). */
function configWith(pools: string[], sites: string[] = [], applicationHostExtra: string[] = []): string {
  return [
    '<configuration>',
    '<system.applicationHost>',
    '<applicationPools>',
    ...pools,
    '</applicationPools>',
    '<sites>',
    ...sites,
    '</sites>',
    ...applicationHostExtra,
    '</system.applicationHost>',
    '</configuration>',
  ].join('\n');
}

function errorOf(text: string): ConfigError {
  try {
    parseApplicationHostConfig(text, FILE, { env: {} });
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error;
  }
  assert.fail('expected a ConfigError');
}

function expectIssue(text: string, expected: { code: string; line: number; column: number; message: string; hint: string }): ConfigError {
  const error = errorOf(text);
  const issue = error.issues[0]!;
  assert.deepEqual(
    { code: issue.code, line: issue.line, column: issue.column, message: issue.message, hint: issue.hint },
    expected,
  );
  assert.equal(error.file, FILE);
  assert.equal(error.line, expected.line);
  assert.equal(error.column, expected.column);
  assert.equal(error.code, expected.code);
  assert.equal(error.hint, expected.hint);
  assert.ok(error.message.startsWith(`${FILE}:${expected.line}:${expected.column}: ${expected.message}. Fix: ${expected.hint}.`), error.message);
  return error;
}

const site = (lines: string[]) => ['<site name="S" id="1">', ...lines, '</site>'];
const rootApp = ['<application path="/"><virtualDirectory path="/" physicalPath="/tmp" /></application>'];

test('XML that does not parse is reported with fast-xml-parser line and column', () => {
  const text = '<configuration>\n  <system.applicationHost>\n    <applicationPools>\n      <add name="x" queueLength=5 />';
  expectIssue(text, {
    code: 'POOLHOST_CONFIG_XML_MALFORMED',
    line: 4,
    column: 21,
    message: "the file is not well-formed XML: Attribute 'queueLength' is without value.",
    hint: 'correct the XML syntax at this position (quotes around attribute values, every element closed, one root element)',
  });
});

test('unclosed element', () => {
  const error = errorOf('<configuration>\n<system.applicationHost>\n</configuration>');
  assert.equal(error.code, 'POOLHOST_CONFIG_XML_MALFORMED');
  assert.equal(error.line, 3);
  assert.match(error.message, /Expected closing tag 'system.applicationHost'/);
});

test('queueLength out of range', () => {
  expectIssue(configWith(['  <add name="P" queueLength="5" />']), {
    code: 'POOLHOST_CONFIG_OUT_OF_RANGE',
    line: 4,
    column: 17,
    message: 'queueLength="5" is out of range: it must be between 10 and 65535',
    hint: 'set queueLength to a whole number from 10 to 65535',
  });
});

test('idleTimeout must be whole minutes', () => {
  expectIssue(configWith(['<add name="P">', '  <processModel idleTimeout="00:05:30" />', '</add>']), {
    code: 'POOLHOST_CONFIG_TIMESPAN_GRANULARITY',
    line: 5,
    column: 17,
    message: 'idleTimeout="00:05:30" is not a whole number of minutes',
    hint: 'round idleTimeout to whole minutes, e.g. 00:05:00',
  });
});

test('idleTimeout at most 30 days', () => {
  expectIssue(configWith(['<add name="P"><processModel idleTimeout="31.00:00:00" /></add>']), {
    code: 'POOLHOST_CONFIG_TIMESPAN_OUT_OF_RANGE',
    line: 4,
    column: 29,
    message: 'idleTimeout="31.00:00:00" is out of range: it must be between 00:00:00 and 30.00:00:00',
    hint: 'set idleTimeout to a timeSpan from 00:00:00 to 30.00:00:00',
  });
});

test('rapidFailProtectionMaxCrashes at least 1', () => {
  expectIssue(configWith(['<add name="P"><failure rapidFailProtectionMaxCrashes="0" /></add>']), {
    code: 'POOLHOST_CONFIG_OUT_OF_RANGE',
    line: 4,
    column: 24,
    message: 'rapidFailProtectionMaxCrashes="0" is out of range: it must be between 1 and 2147483647',
    hint: 'set rapidFailProtectionMaxCrashes to a whole number from 1 to 2147483647',
  });
});

test('a bad value inside applicationPoolDefaults is reported once, at the defaults element', () => {
  const error = errorOf(configWith(['<add name="A" />', '<add name="B" />', '<applicationPoolDefaults><processModel pingInterval="soon" /></applicationPoolDefaults>']));
  assert.equal(error.issues.length, 1);
  assert.equal(error.code, 'POOLHOST_CONFIG_NOT_TIMESPAN');
  assert.equal(error.line, 6);
  assert.equal(error.column, 40);
  assert.match(error.issues[0]!.message, /^pingInterval="soon" is not a timeSpan \("soon" is not a timeSpan; expected hh:mm:ss or d\.hh:mm:ss\)$/);
});

test('bad enum, bool and number values', () => {
  expectIssue(configWith(['<add name="P" managedPipelineMode="Hybrid" />']), {
    code: 'POOLHOST_CONFIG_NOT_ENUM',
    line: 4,
    column: 15,
    message: 'managedPipelineMode="Hybrid" is not one of Integrated, Classic',
    hint: 'use one of Integrated, Classic (case does not matter)',
  });
  expectIssue(configWith(['<add name="P" autoStart="yes" />']), {
    code: 'POOLHOST_CONFIG_NOT_BOOLEAN',
    line: 4,
    column: 15,
    message: 'autoStart="yes" is not a boolean',
    hint: 'write autoStart="true" or autoStart="false"',
  });
  expectIssue(configWith(['<add name="P"><recycling><periodicRestart requests="many" /></recycling></add>']), {
    code: 'POOLHOST_CONFIG_NOT_NUMBER',
    line: 4,
    column: 43,
    message: 'requests="many" is not a whole number',
    hint: 'write requests as decimal digits only, e.g. requests="1000"',
  });
  expectIssue(configWith(['<add name="P"><recycling logEventOnRecycle="Time, Sometimes" /></add>']), {
    code: 'POOLHOST_CONFIG_NOT_FLAGS',
    line: 4,
    column: 26,
    message: 'logEventOnRecycle="Time, Sometimes" contains "Sometimes", which is not a known flag',
    hint: 'write a comma-separated list of Time, Requests, Schedule, Memory, IsapiUnhealthy, OnDemand, ConfigChange, PrivateMemory',
  });
});

test('pool name validator characters', () => {
  expectIssue(configWith(['<add name="my|pool" />']), {
    code: 'POOLHOST_CONFIG_POOL_NAME_INVALID',
    line: 4,
    column: 6,
    message: 'application pool name "my|pool" contains "|", which IIS does not allow in pool names',
    hint: 'rename the pool without any of the characters | < > & " / [ ] + = ; : , ? * @',
  });
});

test('duplicate pool names (case-insensitive)', () => {
  expectIssue(configWith(['<add name="Shop" />', '<add name="shop" />']), {
    code: 'POOLHOST_CONFIG_DUPLICATE_POOL',
    line: 5,
    column: 6,
    message: 'application pool "shop" is declared twice (first at line 4, column 1)',
    hint: 'remove one of the two <add> elements or give it another name (pool names are case-insensitive)',
  });
});

test('an application naming a pool that does not exist is no error of the file: it is loaded and marked, as IIS ignores only it', () => {
  const config = parseApplicationHostConfig(
    configWith(['<add name="DefaultAppPool" />'], site(['<application path="/" applicationPool="defaultapppool" />', '<application path="/x" applicationPool="Missing" />'])),
    '/etc/poolhost/applicationHost.config',
  );
  const [root, orphan] = config.sites[0]!.applications;
  assert.equal(root!.applicationPool, 'DefaultAppPool', 'a declared pool is named as declared');
  assert.equal(root!.applicationPoolUndeclared, undefined);
  assert.equal(orphan!.applicationPool, 'Missing');
  assert.equal(orphan!.applicationPoolUndeclared, true);
});

test('duplicate site names and ids', () => {
  expectIssue(configWith(['<add name="DefaultAppPool" />'], ['<site name="A" id="1" />', '<site name="a" id="2" />']), {
    code: 'POOLHOST_CONFIG_DUPLICATE_SITE_NAME',
    line: 8,
    column: 7,
    message: 'site name "a" is used twice (first at line 7, column 1)',
    hint: 'give every <site> a unique name',
  });
  expectIssue(configWith(['<add name="DefaultAppPool" />'], ['<site name="A" id="1" />', '<site name="B" id="1" />']), {
    code: 'POOLHOST_CONFIG_DUPLICATE_SITE_ID',
    line: 8,
    column: 16,
    message: 'site id="1" is used twice (first at line 7, column 1)',
    hint: 'give every <site> a unique id (log folders are named W3SVC<id>)',
  });
});

test('site name validator', () => {
  expectIssue(configWith(['<add name="DefaultAppPool" />'], ['<site name="a/b" id="1" />']), {
    code: 'POOLHOST_CONFIG_SITE_NAME_INVALID',
    line: 7,
    column: 7,
    message: 'site name "a/b" contains "/", which IIS does not allow in site names',
    hint: 'rename the site without "/" or "?"',
  });
});

test('two sites on the same binding (host compared case-insensitively)', () => {
  expectIssue(
    configWith(
      ['<add name="DefaultAppPool" />'],
      [
        '<site name="A" id="1"><bindings><binding protocol="http" bindingInformation="*:80:Shop.Example" /></bindings></site>',
        '<site name="B" id="2"><bindings><binding protocol="HTTP" bindingInformation="*:80:shop.example" /></bindings></site>',
      ],
    ),
    {
      code: 'POOLHOST_CONFIG_DUPLICATE_BINDING',
      line: 8,
      column: 58,
      message: 'binding "http/*:80:shop.example" of site "B" is already used by site "A" (at line 7, column 58)',
      hint: 'change the port, IP address or host name of one of the two bindings',
    },
  );
});

test('bindings of one port that disagree on proxyProtocol: the PROXY header is read before any binding is known', () => {
  expectIssue(
    configWith(
      ['<add name="DefaultAppPool" />'],
      [
        '<site name="A" id="1"><bindings><binding protocol="http" bindingInformation="*:80:a.example" proxyProtocol="required" /></bindings></site>',
        '<site name="B" id="2"><bindings><binding protocol="http" bindingInformation="*:80:b.example" /></bindings></site>',
      ],
    ),
    {
      code: 'POOLHOST_CONFIG_PROXY_PROTOCOL_DIFFERS',
      line: 8,
      column: 33,
      message:
        'binding "http/*:80:b.example" of site "B" has proxyProtocol="none" but "http/*:80:a.example" of site "A" (at line 7, column 94) has proxyProtocol="required": ' +
        'the PROXY header comes first on a connection, before anything names a binding, so it is a property of the port (80)',
      hint: 'give every binding of port 80 the same proxyProtocol, or move one of them to another port',
    },
  );
  expectIssue(
    configWith(
      ['<add name="DefaultAppPool" />'],
      ['<site name="A" id="1"><bindings><binding protocol="net.tcp" bindingInformation="808:*" proxyProtocol="required" /></bindings></site>'],
    ),
    {
      code: 'POOLHOST_CONFIG_PROXY_PROTOCOL_BINDING',
      line: 7,
      column: 88,
      message: 'binding "net.tcp/808:*" has proxyProtocol="required", which only http and https bindings take',
      hint: 'remove proxyProtocol from this binding',
    },
  );
});

test('https bindings of one port that disagree on TLS 1.3 (sslFlags 32): the port cannot honour both', () => {
  expectIssue(
    configWith(
      ['<add name="DefaultAppPool" />'],
      [
        '<site name="A" id="1"><bindings><binding protocol="https" bindingInformation="*:443:a.example" sslFlags="33" /></bindings></site>',
        '<site name="B" id="2"><bindings><binding protocol="https" bindingInformation="*:443:b.example" sslFlags="1" /></bindings></site>',
      ],
    ),
    {
      code: 'POOLHOST_CONFIG_TLS_VERSION_FLAGS_DIFFER',
      line: 8,
      column: 96,
      message:
        'binding "https/*:443:b.example" of site "B" has sslFlags="1" but "https/*:443:a.example" of site "A" (at line 7, column 96) has sslFlags="33": ' +
        'TLS 1.3 is disabled (sslFlags 32) on one and not the other, and the TLS version is chosen per port (443) before the host name is known',
      hint: 'give every https binding of port 443 the same sslFlags bit 32 (DisableTLS13), or move one of them to another port',
    },
  );
});

test('sslFlags 32 on every https binding of a port, or on another port, loads', () => {
  const text = configWith(
    ['<add name="DefaultAppPool" />'],
    [
      '<site name="A" id="1"><bindings><binding protocol="https" bindingInformation="*:443:a.example" sslFlags="97" /><binding protocol="https" bindingInformation="*:8443:" sslFlags="64" /></bindings></site>',
      '<site name="B" id="2"><bindings><binding protocol="https" bindingInformation="*:443:b.example" sslFlags="33" /></bindings></site>',
    ],
  );
  const config = parseApplicationHostConfig(text, FILE, { env: {} });
  assert.deepEqual(config.sites.flatMap((each) => each.bindings.map((binding) => binding.sslFlags)), [97, 64, 33]);
});

test('malformed bindingInformation', () => {
  expectIssue(configWith(['<add name="DefaultAppPool" />'], site(['<bindings><binding protocol="http" bindingInformation="*:99999:" /></bindings>'])), {
    code: 'POOLHOST_CONFIG_BINDING_INFORMATION_INVALID',
    line: 8,
    column: 36,
    message: 'bindingInformation="*:99999:" is invalid: port 99999 is outside 1-65535',
    hint: 'write bindingInformation as IP:port:host, e.g. "*:80:" or "*:8080:www.contoso.com" or "[::1]:443:"',
  });
});

test('duplicate application paths within a site', () => {
  expectIssue(configWith(['<add name="DefaultAppPool" />'], site([...rootApp, '<application path="/api" />', '<application path="/API" />'])), {
    code: 'POOLHOST_CONFIG_DUPLICATE_APPLICATION',
    line: 10,
    column: 14,
    message: 'application path="/API" appears twice in site "S" (first at line 9, column 1)',
    hint: 'remove or rename one of the two <application> elements',
  });
});

test('duplicate virtual directory paths within an application', () => {
  const app = ['<application path="/">', '<virtualDirectory path="/" physicalPath="/a" />', '<virtualDirectory path="/" physicalPath="/b" />', '</application>'];
  expectIssue(configWith(['<add name="DefaultAppPool" />'], site(app)), {
    code: 'POOLHOST_CONFIG_DUPLICATE_VIRTUAL_DIRECTORY',
    line: 10,
    column: 19,
    message: 'virtual directory path="/" appears twice in application "S/" (first at line 9, column 1)',
    hint: 'remove or rename one of the two <virtualDirectory> elements',
  });
});

test('application and virtual directory path rules', () => {
  expectIssue(configWith(['<add name="DefaultAppPool" />'], site(['<application path="/api/" />'])), {
    code: 'POOLHOST_CONFIG_PATH_INVALID',
    line: 8,
    column: 14,
    message: 'application path="/api/" is invalid: it must not end with "/"',
    hint: 'write the path as "/" or "/name/sub": it starts with "/", has no trailing "/" and no "." or ".." segment',
  });
  const error = errorOf(configWith(['<add name="DefaultAppPool" />'], site(['<application path="/"><virtualDirectory path="/a/../b" physicalPath="/x" /></application>'])));
  assert.equal(error.issues[0]!.message, 'virtual directory path="/a/../b" is invalid: it contains a ".." segment');
  assert.equal(errorOf(configWith(['<add name="DefaultAppPool" />'], site(['<application path="api" />']))).issues[0]!.message, 'application path="api" is invalid: it must start with "/"');
});

test('webLimits and httpSys ranges', () => {
  const error = errorOf(configWith([], [], ['<httpSys maxFieldLength="10" />']));
  assert.equal(error.issues[0]!.message, 'maxFieldLength="10" is out of range: it must be between 64 and 65534');
  assert.equal(error.line, 7);
  assert.equal(error.column, 10);
  const table = errorOf(configWith([], [], ['<httpSys http2HeaderTableSize="70000" />']));
  assert.equal(table.issues[0]!.message, 'http2HeaderTableSize="70000" is out of range: it must be between 0 and 65536');
  assert.equal(table.line, 7);
  assert.equal(table.column, 10);
  assert.equal(errorOf(configWith([], [], ['<httpSys http2HeaderTableSize="4k" />'])).line, 7);
  const limits = errorOf(configWith([], [], ['<webLimits connectionTimeout="2 minutes" />']));
  assert.equal(limits.code, 'POOLHOST_CONFIG_NOT_TIMESPAN');
  assert.equal(limits.line, 7);
});

test('missing required attributes', () => {
  expectIssue(configWith(['<add queueLength="100" />']), {
    code: 'POOLHOST_CONFIG_MISSING_ATTRIBUTE',
    line: 4,
    column: 1,
    message: '<add> has no name attribute, which is required',
    hint: 'add name="..." to this <add>',
  });
});

test('all problems are collected; the first is in the message, the rest listed after it', () => {
  const error = errorOf(configWith(['<add name="A" queueLength="1" />', '<add name="B" autoStart="maybe" />']));
  assert.equal(error.issues.length, 2);
  assert.equal(error.issues[1]!.line, 5);
  assert.match(error.message, /\(1 more: .*autoStart="maybe" is not a boolean/);
});

test('httpSys (poolhost\'s own element) refuses an attribute it does not know, at its position', () => {
  const error = errorOf(configWith(['<add name="P" />'], [], ['<httpSys enableHttp2Cleartxt="true" />']));
  const issue = error.issues[0]!;
  assert.equal(issue.code, 'POOLHOST_CONFIG_UNKNOWN_ATTRIBUTE');
  assert.equal(issue.line, 8);
  assert.match(issue.message, /Unrecognized attribute 'enableHttp2Cleartxt' on <httpSys>/);
  assert.match(issue.hint, /enableHttp2Cleartext/);
});
