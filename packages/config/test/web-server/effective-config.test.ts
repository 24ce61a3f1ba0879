import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getEffectiveWebServerConfig, loadApplicationHostConfig, LOCKED_SECTION_MESSAGE, type WebServerConfig } from '../../src/index.js';
import { applicationHost, fixture, webConfigFixtures, writeTree } from '../helpers/fixtures.js';

const SECTIONS = `<configSections>
        <sectionGroup name="system.webServer">
            <section name="handlers" overrideModeDefault="Deny" />
            <section name="modules" allowDefinition="MachineToApplication" overrideModeDefault="Deny" />
            <section name="defaultDocument" overrideModeDefault="Allow" />
            <section name="httpLogging" overrideModeDefault="Deny" />
            <section name="globalModules" allowDefinition="AppHostOnly" overrideModeDefault="Deny" />
            <sectionGroup name="security">
                <section name="requestFiltering" overrideModeDefault="Allow" />
            </sectionGroup>
        </sectionGroup>
    </configSections>`;

const GLOBAL = `        <handlers accessPolicy="Read, Script">
            <add name="TRACEVerbHandler" path="*" verb="TRACE" modules="ProtocolSupportModule" requireAccess="None" />
            <add name="StaticFile" path="*" verb="*" modules="StaticFileModule,DefaultDocumentModule,DirectoryListingModule" resourceType="Either" requireAccess="Read" />
        </handlers>
        <defaultDocument enabled="true">
            <files>
                <add value="Default.htm" />
                <add value="index.html" />
            </files>
        </defaultDocument>
        <security>
            <requestFiltering>
                <hiddenSegments>
                    <add segment="web.config" />
                    <add segment="bin" />
                </hiddenSegments>
            </requestFiltering>
        </security>`;

const SITES = `            <site name="Default Web Site" id="1">
                <application path="/">
                    <virtualDirectory path="/" physicalPath="%SystemDrive%\\inetpub\\wwwroot" />
                    <virtualDirectory path="/locked" physicalPath="%SystemDrive%\\locked" allowSubDirConfig="false" />
                </application>
                <application path="/app" applicationPool="NoOverride">
                    <virtualDirectory path="/" physicalPath="%SystemDrive%\\app" />
                </application>
                <bindings><binding protocol="http" bindingInformation="*:80:" /></bindings>
            </site>`;

function setup(files: Record<string, string>, parts: { tail?: string; webServer?: string } = {}) {
  const root = writeTree({
    'applicationHost.config': applicationHost({
      configSections: SECTIONS,
      pools: '<add name="DefaultAppPool" /><add name="NoOverride" enableConfigurationOverride="false" />',
      sites: SITES,
      webServer: parts.webServer ?? GLOBAL,
      tail: parts.tail ?? '',
    }),
    ...files,
  });
  const host = loadApplicationHostConfig(join(root, 'applicationHost.config'), { env: {} });
  return { root, host, at: (url: string) => getEffectiveWebServerConfig(host, 'Default Web Site', url) };
}

function ok(result: ReturnType<typeof getEffectiveWebServerConfig>): WebServerConfig {
  assert.ok(result.ok, result.ok ? '' : JSON.stringify(result.fault));
  return result.config;
}

const webConfig = (inner: string): string => `<?xml version="1.0"?>\n<configuration>\n  <system.webServer>\n${inner}\n  </system.webServer>\n</configuration>\n`;

test('without web.config files the global sections apply, with schema defaults for the rest', () => {
  const { at, root } = setup({});
  const config = ok(at('/'));
  assert.deepEqual(config.handlers.handlers.map((h) => h.name), ['TRACEVerbHandler', 'StaticFile']);
  assert.deepEqual(config.handlers.accessPolicy, ['Read', 'Script']);
  assert.equal(config.handlers.handlers[1]!.resourceType, 'Either');
  assert.equal(config.handlers.handlers[0]!.resourceType, 'Unspecified');
  assert.equal(config.handlers.handlers[0]!.responseBufferLimit, 4194304);
  assert.deepEqual(config.defaultDocument, { enabled: true, files: ['Default.htm', 'index.html'] });
  assert.deepEqual(config.directoryBrowse, { enabled: false, showFlags: ['Date', 'Time', 'Size', 'Extension'] });
  assert.equal(config.httpErrors.errorMode, 'DetailedLocalOnly');
  // IIS's 30000000 bytes, with and without the baseline.
  assert.equal(config.requestFiltering.requestLimits.maxAllowedContentLength, 30000000);
  assert.equal(ok(getEffectiveWebServerConfig(loadApplicationHostConfig(join(root, 'applicationHost.config'), { env: {} }), 'Default Web Site', '/', { baseline: false })).requestFiltering.requestLimits.maxAllowedContentLength, 30000000);
  assert.equal(config.requestFiltering.requestLimits.maxUrl, 4096);
  assert.equal(config.requestFiltering.requestLimits.maxQueryString, 2048);
  assert.deepEqual(config.requestFiltering.hiddenSegments.segments, ['web.config', 'bin']);
  assert.equal(config.staticContent.clientCache.cacheControlMaxAge, 86_400_000);
  assert.deepEqual(config.httpLogging, { dontLog: false, selectiveLogging: 'LogAll' });
  assert.deepEqual(config.traceFailedRequests, []);
});

test('web.config collections: add appends, remove and clear work, defaultDocument files are prepended', () => {
  const { at, root } = setup({
    'inetpub/wwwroot/web.config': webConfig(`    <defaultDocument><files><remove value="Default.htm" /><add value="home.html" /></files></defaultDocument>
    <security><requestFiltering><hiddenSegments><add segment="node_modules" /></hiddenSegments></requestFiltering></security>`),
    'inetpub/wwwroot/sub/web.config': webConfig('    <security><requestFiltering><hiddenSegments><clear /><add segment="secret" /></hiddenSegments></requestFiltering></security>'),
  });
  const top = at('/');
  assert.deepEqual(ok(top).defaultDocument.files, ['home.html', 'index.html']);
  assert.deepEqual(ok(top).requestFiltering.hiddenSegments.segments, ['web.config', 'bin', 'node_modules']);
  assert.deepEqual(top.files, [join(root, 'inetpub/wwwroot/web.config')]);
  const sub = at('/sub/page.html');
  assert.deepEqual(ok(sub).requestFiltering.hiddenSegments.segments, ['secret']);
  assert.deepEqual(ok(sub).defaultDocument.files, ['home.html', 'index.html']);
  assert.deepEqual(sub.files, [join(root, 'inetpub/wwwroot/web.config'), join(root, 'inetpub/wwwroot/sub/web.config')]);
});

test('handlers set in web.config (once unlocked) come before the inherited ones', () => {
  const tail = '<location path="" overrideMode="Allow"><system.webServer><handlers /></system.webServer></location>';
  const { at } = setup(
    { 'inetpub/wwwroot/web.config': webConfig('    <handlers><add name="iisnode" path="server.js" verb="*" modules="iisnode" /></handlers>') },
    { tail },
  );
  assert.deepEqual(ok(at('/server.js')).handlers.handlers.map((h) => h.name), ['iisnode', 'TRACEVerbHandler', 'StaticFile']);
});

test('a web.config setting a locked section gets 500.19 0x80070021 with the file, line and column', () => {
  const { at, root } = setup({ 'inetpub/wwwroot/web.config': webConfig('    <handlers><add name="iisnode" path="server.js" verb="*" modules="iisnode" /></handlers>') });
  const result = at('/');
  assert.equal(result.ok, false);
  assert.deepEqual(!result.ok && result.fault, {
    httpStatus: 500,
    subStatus: 19,
    errorCode: '0x80070021',
    message:
      'This configuration section cannot be used at this path. This happens when the section is locked at a parent level. Locking is either by default (overrideModeDefault="Deny"), or set explicitly by a location tag with overrideMode="Deny" or the legacy allowOverride="false".',
    section: 'system.webServer/handlers',
    file: join(root, 'inetpub/wwwroot/web.config'),
    line: 4,
    column: 5,
  });
  assert.equal(!result.ok && result.fault.message, LOCKED_SECTION_MESSAGE);
});

test('location overrideMode="Deny" and allowOverride="false" lock an Allow section for the site', () => {
  for (const attribute of ['overrideMode="Deny"', 'allowOverride="false"']) {
    const tail = `<location path="Default Web Site" ${attribute}><system.webServer><defaultDocument /></system.webServer></location>`;
    const { at } = setup({ 'inetpub/wwwroot/web.config': webConfig('    <defaultDocument enabled="false" />') }, { tail });
    const result = at('/');
    assert.equal(!result.ok && result.fault.errorCode, '0x80070021', attribute);
  }
});

test('AppHostOnly sections are refused in web.config', () => {
  const { at } = setup({ 'inetpub/wwwroot/web.config': webConfig('    <globalModules><add name="x" image="x.dll" /></globalModules>') });
  const result = at('/');
  assert.equal(!result.ok && result.fault.section, 'system.webServer/globalModules');
});

test('malformed web.config gives 500.19 0x8007000d with position', () => {
  const { at, root } = setup({ 'inetpub/wwwroot/web.config': '<configuration>\n  <system.webServer>\n    <defaultDocument enabled=true />\n' });
  const result = at('/x');
  assert.equal(result.ok, false);
  const fault = !result.ok ? result.fault : undefined;
  assert.equal(fault?.errorCode, '0x8007000d');
  assert.equal(fault?.file, join(root, 'inetpub/wwwroot/web.config'));
  assert.equal(fault?.line, 3);
  assert.equal(fault?.column, 22);
  assert.match(fault!.message, /^Configuration file is not well-formed XML: /);
});

test('an invalid value in web.config gives 500.19 naming the value', () => {
  const { at } = setup({ 'inetpub/wwwroot/web.config': webConfig('    <directoryBrowse enabled="perhaps" />') });
  const result = at('/');
  assert.equal(!result.ok && result.fault.message, 'enabled="perhaps" is not a boolean');
  assert.equal(!result.ok && result.fault.line, 4);
});

test('adding an entry that is already inherited is IIS duplicate-entry 500.19', () => {
  const { at } = setup({ 'inetpub/wwwroot/web.config': webConfig('    <defaultDocument><files><add value="index.html" /></files></defaultDocument>') });
  const result = at('/');
  assert.equal(!result.ok && result.fault.errorCode, '0x800700b7');
  assert.equal(!result.ok && result.fault.message, "Cannot add duplicate collection entry of type 'add' with unique key attribute 'value' set to 'index.html'");
});

test('applicationHost <location path="Site/..."> applies to that path and below only', () => {
  const tail = '<location path="Default Web Site/docs"><system.webServer><directoryBrowse enabled="true" showFlags="Date, LongDate" /></system.webServer></location>';
  const { at } = setup({}, { tail });
  assert.equal(ok(at('/')).directoryBrowse.enabled, false);
  assert.equal(ok(at('/docsx')).directoryBrowse.enabled, false);
  assert.deepEqual(ok(at('/DOCS/a/b')).directoryBrowse, { enabled: true, showFlags: ['Date', 'LongDate'] });
});

test('<location path> may name a single file: its folder lists the name, and the file\'s own path gets the tag', () => {
  const tail = '<location path="Default Web Site/docs/readme.txt"><system.webServer><directoryBrowse enabled="true" /></system.webServer></location>';
  const { at } = setup(
    { 'inetpub/wwwroot/web.config': `<?xml version="1.0"?>\n<configuration>\n  <location path="Report.TXT"><system.webServer><directoryBrowse showFlags="Size" /></system.webServer></location>\n</configuration>\n` },
    { tail },
  );
  const root = at('/');
  assert.ok(root.ok);
  assert.deepEqual(root.locatedBelow.sort(), ['docs', 'report.txt']);
  assert.deepEqual(ok(at('/report.txt')).directoryBrowse.showFlags, ['Size']);
  assert.deepEqual(ok(at('/other.txt')).directoryBrowse.showFlags, ['Date', 'Time', 'Size', 'Extension']);
  const docs = at('/docs/');
  assert.ok(docs.ok);
  assert.deepEqual(docs.locatedBelow, ['readme.txt']);
  assert.equal(ok(at('/docs/')).directoryBrowse.enabled, false);
  assert.equal(ok(at('/docs/readme.txt')).directoryBrowse.enabled, true);
});

test('allowSubDirConfig="false" ignores web.config below the virtual directory root', () => {
  const { at } = setup({
    'locked/web.config': webConfig('    <directoryBrowse enabled="true" />'),
    'locked/deeper/web.config': webConfig('    <directoryBrowse showFlags="Size" />'),
  });
  const config = ok(at('/locked/deeper/x'));
  assert.equal(config.directoryBrowse.enabled, true);
  assert.deepEqual(config.directoryBrowse.showFlags, ['Date', 'Time', 'Size', 'Extension']);
});

test('enableConfigurationOverride="false" on the pool ignores web.config files', () => {
  const { at } = setup({ 'app/web.config': webConfig('    <directoryBrowse enabled="true" />') });
  assert.equal(ok(at('/app/')).directoryBrowse.enabled, false);
});

test('unknown sections are kept raw and merged', () => {
  const { at } = setup({
    'inetpub/wwwroot/web.config': webConfig('    <iisnode nodeProcessCountPerApplication="2" />\n    <rewrite><rules><rule name="a"><match url=".*" /></rule></rules></rewrite>'),
  });
  const config = ok(at('/'));
  assert.equal(config.sections['iisnode']!.attributes.nodeProcessCountPerApplication, '2');
  assert.equal(config.sections['rewrite/rules']!.children[0]!.attributes.name, 'a');
});

// The real iisnode web.config files, dropped into an application folder (handlers unlocked as the
// shipped IIS setups with `<location path="" overrideMode="Allow">` do).
for (const name of webConfigFixtures()) {
  test(`real web.config ${name} applies through the web.config path`, () => {
    const tail = '<location path="" overrideMode="Allow"><system.webServer><handlers /></system.webServer></location>';
    const { at } = setup({ 'inetpub/wwwroot/web.config': readFileSync(fixture(name), 'utf8') }, { tail });
    const config = ok(at('/'));
    const iisnode = config.handlers.handlers[0]!;
    assert.equal(iisnode.name, 'iisnode');
    assert.equal(iisnode.modules, 'iisnode');
    assert.equal(iisnode.path, name.startsWith('lilliputten') ? 'server.js' : 'hello.js');
    if (name.includes('configuration')) {
      assert.equal(config.sections['iisnode']!.attributes.node_env, '%node_env%');
      assert.equal(config.sections['iisnode']!.attributes.nodeProcessCountPerApplication, '1');
    } else {
      const rules = config.sections['rewrite/rules']!.children.filter((child) => child.name === 'rule');
      assert.ok(rules.length >= 1);
    }
    if (name.startsWith('lilliputten')) {
      assert.deepEqual(config.requestFiltering.hiddenSegments.segments, ['web.config', 'bin', 'node_modules']);
      assert.deepEqual(
        config.sections['rewrite/rules']!.children.map((rule) => rule.attributes.name),
        ['LogFile', 'NodeInspector', 'DynamicContent'],
      );
    }
  });
}

test('real applicationHost.config fixtures give an effective config for each site root', async () => {
  const { applicationHostFixtures } = await import('../helpers/fixtures.js');
  for (const name of applicationHostFixtures()) {
    const host = loadApplicationHostConfig(fixture(name), { env: {} });
    for (const site of host.sites) ok(getEffectiveWebServerConfig(host, site.name, '/'));
  }
  const iris = loadApplicationHostConfig(fixture('mlbakerak__WinIRISBuild.config'), { env: {} });
  const csp = ok(getEffectiveWebServerConfig(iris, 'Default Web Site', '/csp/page.csp'));
  assert.equal(csp.handlers.handlers[0]!.name, 'CSPGatewayManagement');
  assert.equal(ok(getEffectiveWebServerConfig(iris, 'Default Web Site', '/')).handlers.handlers.some((h) => h.name.startsWith('CSP')), false);
});
