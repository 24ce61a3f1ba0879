// system.webServer sections poolhost reads with a schema: an unrecognized attribute in web.config is IIS's
// 500.19 (0x8007000d, "Unrecognized attribute 'x'. Note that attribute names are case-sensitive.") at its
// file:line:column; in applicationHost.config it refuses the load. Not honoured settings are warnings.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ConfigError, EffectiveConfigCache, getEffectiveWebServerConfig, loadApplicationHostConfig, parseWebConfig } from '../../src/index.js';
import { applicationHost, writeTree } from '../helpers/fixtures.js';

const webConfig = (inner: string): string => `<?xml version="1.0"?>\n<configuration>\n  <system.webServer>\n${inner}\n  </system.webServer>\n</configuration>\n`;

function site(files: Record<string, string>, webServer = '') {
  const root = writeTree({
    'applicationHost.config': applicationHost({
      sites: [
        '            <site name="Default Web Site" id="1">',
        '                <application path="/"><virtualDirectory path="/" physicalPath="%SystemDrive%\\inetpub\\wwwroot" /></application>',
        '                <bindings><binding protocol="http" bindingInformation="*:80:" /></bindings>',
        '            </site>',
      ].join('\n'),
      ...(webServer ? { webServer } : {}),
    }),
    ...files,
  });
  const host = loadApplicationHostConfig(join(root, 'applicationHost.config'), { env: {} });
  return { root, host, at: (url: string, cache?: EffectiveConfigCache) => getEffectiveWebServerConfig(host, 'Default Web Site', url, cache ? { cache } : {}) };
}

test("a misspelt attribute in a web.config section is IIS's 500.19 with its file, line and column", () => {
  const { at, root } = site({ 'inetpub/wwwroot/web.config': webConfig('    <directoryBrowse enabled="true" fooBar="1" />') });
  const result = at('/');
  assert.equal(result.ok, false);
  if (result.ok) return;
  assert.deepEqual(result.fault, {
    httpStatus: 500,
    subStatus: 19,
    errorCode: '0x8007000d',
    message: "Unrecognized attribute 'fooBar'. Note that attribute names are case-sensitive.",
    file: join(root, 'inetpub/wwwroot/web.config'),
    line: 4,
    column: 37,
  });
  const below = at('/sub/page.html');
  assert.equal(below.ok, false, 'every URL the file configures');
});

test('attribute names are case-sensitive, and nested elements and collection entries are checked', () => {
  const cases: Array<[string, string]> = [
    ['<directoryBrowse Enabled="true" />', 'Enabled'],
    ['<handlers><add name="x" path="*.x" verb="*" modules="StaticFileModule" scriptprocessor="" /></handlers>', 'scriptprocessor'],
    ['<handlers><remove name="x" path="*" /></handlers>', 'path'],
    ['<defaultDocument><files><add value="a.html" priority="1" /></files></defaultDocument>', 'priority'],
    ['<httpErrors><error statusCode="404" path="/404.html" responsemode="ExecuteURL" /></httpErrors>', 'responsemode'],
    ['<security><requestFiltering><requestLimits maxAllowedContentLenght="1" /></requestFiltering></security>', 'maxAllowedContentLenght'],
    ['<security><requestFiltering><fileExtensions><add fileExtension=".x" allow="false" /></fileExtensions></requestFiltering></security>', 'allow'],
    ['<staticContent><clientCache cacheControlMode="UseMaxAge" maxAge="1.00:00:00" /></staticContent>', 'maxAge'],
    ['<staticContent><mimeMap fileExtension=".x" mimeType="a/b" charset="utf-8" /></staticContent>', 'charset'],
    ['<caching><profiles><add extension=".js" policy="CacheUntilChange" kernel="1" /></profiles></caching>', 'kernel'],
    ['<tracing><traceFailedRequests><add path="*"><failureDefinitions statusCode="500" /></add></traceFailedRequests></tracing>', 'statusCode'],
    ['<iisnode nodeProcessCountPerApp="2" />', 'nodeProcessCountPerApp'],
  ];
  for (const [section, attribute] of cases) {
    const result = site({ 'inetpub/wwwroot/web.config': webConfig(`    ${section}`) }).at('/');
    assert.equal(result.ok, false, section);
    if (!result.ok) assert.equal(result.fault.message, `Unrecognized attribute '${attribute}'. Note that attribute names are case-sensitive.`, section);
  }
});

test('lock attributes, xmlns and sections without a poolhost schema (rewrite, httpProtocol) are not refused', () => {
  const { at } = site({
    'inetpub/wwwroot/web.config': webConfig(
      '    <directoryBrowse enabled="true" lockAttributes="enabled" xmlns:x="urn:x" />\n    <rewrite><rules><rule name="a" anything="x"><match url=".*" /></rule></rules></rewrite>',
    ),
  });
  const result = at('/');
  assert.ok(result.ok, result.ok ? '' : result.fault.message);
  assert.deepEqual(result.warnings, []);
});

test('a location tag of a web.config with an unrecognized attribute is a 500.19 where it applies', () => {
  const text = '<?xml version="1.0"?>\n<configuration>\n  <location path="docs">\n    <system.webServer><directoryBrowse enabeld="true" /></system.webServer>\n  </location>\n</configuration>\n';
  const { at } = site({ 'inetpub/wwwroot/web.config': text });
  assert.ok(at('/').ok, 'the tag does not apply at the root');
  const docs = at('/docs/');
  assert.equal(docs.ok, false);
  if (!docs.ok) assert.deepEqual([docs.fault.message, docs.fault.line, docs.fault.column], ["Unrecognized attribute 'enabeld'. Note that attribute names are case-sensitive.", 4, 40]);
});

test('an unrecognized attribute in applicationHost.config system.webServer refuses the load (last known good stays)', () => {
  const root = writeTree({ 'applicationHost.config': applicationHost({ webServer: '        <httpErrors errorMode="Custom" existingRespone="Replace" />' }) });
  assert.throws(
    () => loadApplicationHostConfig(join(root, 'applicationHost.config'), { env: {} }),
    (error: ConfigError) =>
      error instanceof ConfigError && error.code === 'POOLHOST_CONFIG_UNKNOWN_ATTRIBUTE' && error.line === 21 && error.column === 40 && /Unrecognized attribute 'existingRespone' on <httpErrors>/.test(error.message),
  );
});

test('IIS attributes poolhost does not honour are warnings of the web.config, given once per cache', () => {
  const { at, root } = site({
    'inetpub/wwwroot/web.config': webConfig('    <modules runAllManagedModulesForAllRequests="true" />\n    <staticContent enableDocFooter="true" />'),
  });
  const result = at('/');
  assert.ok(result.ok, result.ok ? '' : result.fault.message);
  assert.deepEqual(
    result.warnings.map((warning) => [warning.file, warning.line, warning.column, warning.code]),
    [
      [join(root, 'inetpub/wwwroot/web.config'), 4, 14, 'POOLHOST_CONFIG_NOT_HONOURED'],
      [join(root, 'inetpub/wwwroot/web.config'), 5, 20, 'POOLHOST_CONFIG_NOT_HONOURED'],
    ],
  );
  assert.match(result.warnings[0]!.message, /^IIS setting modules@runAllManagedModulesForAllRequests="true" is not honoured by poolhost because poolhost runs no managed \(\.NET\) modules/);
  assert.match(result.warnings[1]!.message, /staticContent@enableDocFooter="true" is not honoured by poolhost because the static file handler appends no document footer/);
  const cache = new EffectiveConfigCache();
  assert.equal(at('/', cache).warnings.length, 2);
  assert.equal(at('/a/', cache).warnings.length, 0, 'a file read once is reported once');
});

test('registered sections poolhost does not implement are reported when they ask for something, never dropped silently', () => {
  const file = '/srv/www/web.config';
  const sections = parseWebConfig(
    webConfig(
      [
        '    <security>',
        '      <authentication><windowsAuthentication enabled="true" /><digestAuthentication enabled="false" /></authentication>',
        '      <authorization><add accessType="Deny" users="?" /></authorization>',
        '    </security>',
        '    <httpRedirect enabled="true" destination="https://example.com" />',
        '    <webSocket enabled="true" />',
        '    <security><requestFiltering><filteringRules><filteringRule name="sql" scanUrl="true" /></filteringRules></requestFiltering></security>',
      ].join('\n'),
    ),
    file,
  );
  assert.equal(sections.fault, undefined, 'not refused: poolhost has no schema for them');
  assert.deepEqual(
    sections.warnings!.map((warning) => `${warning.line}:${warning.column} ${warning.message.split(/ is not| which/)[0]}`),
    [
      '5:46 IIS setting system.webServer/security/authentication/windowsAuthentication@enabled="true"',
      '6:22 IIS section system.webServer/security/authorization has <add> entries,',
      '8:19 IIS setting system.webServer/httpRedirect@enabled="true"',
      '10:49 IIS section system.webServer/security/requestFiltering/filteringRules has <filteringRule> entries,',
    ],
  );
  assert.match(sections.warnings![1]!.message, /poolhost has no URL Authorization module: its allow and deny rules restrict nobody/);
});
