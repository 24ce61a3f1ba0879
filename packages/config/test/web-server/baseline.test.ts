import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { getEffectiveWebServerConfig, loadApplicationHostConfig } from '../../src/index.js';
import { writeTree } from '../helpers/fixtures.js';
import { baselineSections, isBaselineSection } from '../../src/web-server/baseline.js';
import { mergeElement } from '../../src/web-server/merge-sections.js';

const minimal = (webServer = ''): string => `<?xml version="1.0"?>
<configuration>
  <system.applicationHost>
    <applicationPools><add name="DefaultAppPool" /></applicationPools>
    <sites>
      <site name="Site" id="1">
        <application path="/"><virtualDirectory path="/" physicalPath="%SystemDrive%\\www" /></application>
        <bindings><binding protocol="http" bindingInformation="*:80:" /></bindings>
      </site>
    </sites>
  </system.applicationHost>
  <system.webServer>${webServer}</system.webServer>
</configuration>
`;

function effective(files: Record<string, string>) {
  const root = writeTree(files);
  const host = loadApplicationHostConfig(join(root, 'applicationHost.config'), { env: {} });
  const result = getEffectiveWebServerConfig(host, 'Site', '/');
  assert.ok(result.ok, result.ok ? '' : JSON.stringify(result.fault));
  return result.config;
}

test("a minimal applicationHost.config gets IIS's shipped system.webServer content from the baseline", () => {
  const config = effective({ 'applicationHost.config': minimal() });
  assert.deepEqual(config.handlers.handlers.map((handler) => handler.name), ['TRACEVerbHandler', 'OPTIONSVerbHandler', 'StaticFile']);
  assert.ok(config.modules.modules.some((module) => module.name === 'RequestFilteringModule'));
  assert.deepEqual(config.defaultDocument.files, ['Default.htm', 'Default.asp', 'index.htm', 'index.html', 'iisstart.htm']);
  assert.ok(config.staticContent.mimeMaps.length >= 376);
  assert.equal(config.staticContent.mimeMaps.find((map) => map.fileExtension === '.css')?.mimeType, 'text/css');
  assert.ok(config.requestFiltering.hiddenSegments.segments.includes('App_Data'));
  assert.ok(config.requestFiltering.fileExtensions.entries.some((entry) => entry.fileExtension === '.config' && !entry.allowed));
});

test('applicationHost.config collections merge with the baseline unless complete (clear, or a repeated entry); its attributes win', () => {
  const merged = effective({ 'applicationHost.config': minimal('<staticContent><mimeMap fileExtension=".custom" mimeType="application/x-custom" /></staticContent>') });
  assert.equal(merged.staticContent.mimeMaps.find((map) => map.fileExtension === '.css')?.mimeType, 'text/css');
  assert.equal(merged.staticContent.mimeMaps.at(-1)?.fileExtension, '.custom');
  const complete = effective({ 'applicationHost.config': minimal('<defaultDocument><files><add value="home.html" /><add value="index.html" /></files></defaultDocument>') });
  assert.deepEqual(complete.defaultDocument.files, ['home.html', 'index.html']);
  const config = effective({
    'applicationHost.config': minimal(`<defaultDocument enabled="false"><files><clear /><add value="home.html" /></files></defaultDocument>
      <security><requestFiltering allowDoubleEscaping="true"><requestLimits maxUrl="100" /></requestFiltering></security>`),
  });
  assert.deepEqual(config.defaultDocument, { enabled: false, files: ['home.html'] });
  assert.equal(config.requestFiltering.allowDoubleEscaping, true);
  assert.equal(config.requestFiltering.requestLimits.maxUrl, 100);
  assert.ok(config.requestFiltering.hiddenSegments.segments.includes('web.config'), 'collections it does not declare stay');
});

test('handlers and modules are unlocked for web.config, as IIS ships them', () => {
  const config = effective({
    'applicationHost.config': minimal(),
    'www/web.config': '<configuration><system.webServer><handlers><add name="iisnode" path="server.js" verb="*" modules="iisnode" /></handlers></system.webServer></configuration>',
  });
  assert.equal(config.handlers.handlers[0]!.name, 'iisnode');
  assert.equal(config.handlers.handlers.at(-1)!.name, 'StaticFile');
});

test('each baseline section is already what merging it alone gives, so the merge may take it as it is', () => {
  const sections = Object.entries(baselineSections());
  assert.ok(sections.length >= 12);
  for (const [path, element] of sections) {
    assert.ok(isBaselineSection(element), path);
    assert.deepEqual(mergeElement(undefined, element, path.slice('system.webServer/'.length)), element, path);
  }
  // A copy (baselineBeneath's, or any other element) is merged as usual.
  const [, first] = sections[0]!;
  assert.equal(isBaselineSection({ ...first }), false);
});

test('a hello world shares the baseline sections nothing else sets, and gets the same configuration as a merged copy of them', () => {
  const config = effective({ 'applicationHost.config': minimal('<httpErrors errorMode="Detailed" />') });
  const baseline = baselineSections();
  assert.equal(config.sections['staticContent'], baseline['system.webServer/staticContent']);
  assert.equal(config.sections['modules'], baseline['system.webServer/modules']);
  // httpErrors is set by applicationHost.config too: merged, not shared.
  assert.notEqual(config.sections['httpErrors'], baseline['system.webServer/httpErrors']);
  assert.equal(config.sections['httpErrors']!.attributes.errorMode, 'Detailed');
  assert.equal(config.staticContent.mimeMaps.length, baseline['system.webServer/staticContent']!.children.length);
});

test("the baseline's staticContent makes its mimeMaps when first read, on the lines they had, and has nothing else", () => {
  const baseline = baselineSections();
  const staticContent = baseline['system.webServer/staticContent']!;
  assert.equal(typeof Object.getOwnPropertyDescriptor(staticContent, 'children')?.get, 'function');
  assert.equal(Object.getOwnPropertyDescriptor(staticContent, 'children')?.enumerable, true);
  const children = staticContent.children;
  assert.equal(staticContent.children, children);
  // typed-sections.ts reads its clientCache as the defaults without looking: there is none.
  assert.deepEqual([...new Set(children.map((child) => child.name))], ['mimeMap']);
  assert.ok(children.length >= 376);
  // One line each, in order, after the section's own and before the next section's.
  children.forEach((child, index) => assert.equal(child.position.line, staticContent.position.line + 1 + index));
  assert.equal(baseline['system.webServer/urlCompression']!.position.line, staticContent.position.line + children.length + 1);
  assert.deepEqual({ ...staticContent, children: [...children] }, JSON.parse(JSON.stringify(staticContent)));
});
