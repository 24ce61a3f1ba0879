// A <location path> may name a single file, as in IIS: the file is configured by the tag, its neighbours
// by their folder only — in the application's own folder (where requests otherwise take the root
// pipeline without any lookup) and in a sub-folder, from applicationHost.config and from a web.config.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSite } from './pipeline-support.js';

const webConfig = (outside: string): string => `<?xml version="1.0"?>\n<configuration>\n${outside}</configuration>\n`;
const customHeader = (name: string, value: string): string =>
  `<system.webServer><httpProtocol><customHeaders><add name="${name}" value="${value}" /></customHeaders></httpProtocol></system.webServer>`;

test('<location path> naming one file configures that file only (root folder and sub-folder, web.config and applicationHost.config)', async () => {
  const site = await startSite(
    {
      files: {
        'www/index.html': 'root',
        'www/report.txt': 'the report',
        'www/other.txt': 'another file',
        'www/web.config': webConfig(`  <location path="report.txt">${customHeader('X-Report', 'yes')}</location>\n  <location path="docs/manual.txt">${customHeader('X-Manual', 'from the root web.config')}</location>\n`),
        'www/docs/manual.txt': 'the manual',
        'www/docs/internal.txt': 'internal only',
        'www/docs/public.txt': 'public',
      },
      // ipSecurity is locked for web.config (overrideModeDefault="Deny"): applicationHost.config names the file.
      locations: `  <location path="Site/docs/internal.txt"><system.webServer><security>
    <ipSecurity allowUnlisted="true"><add ipAddress="127.0.0.0" subnetMask="255.0.0.0" allowed="false" /></ipSecurity>
  </security></system.webServer></location>`,
    },
    after,
  );
  const report = await site.get('/report.txt');
  assert.equal(report.text, 'the report');
  assert.equal(report.headers['x-report'], 'yes');
  const other = await site.get('/other.txt');
  assert.equal(other.text, 'another file');
  assert.equal(other.headers['x-report'], undefined, 'a neighbour in the same folder is not configured by the tag');
  assert.equal((await site.get('/REPORT.TXT')).headers['x-report'], 'yes', 'location paths are case-insensitive, as IIS URLs are');

  const manual = await site.get('/docs/manual.txt');
  assert.equal(manual.headers['x-manual'], 'from the root web.config');
  assert.equal((await site.get('/docs/public.txt')).headers['x-manual'], undefined);
  const internal = await site.get('/docs/internal.txt');
  assert.equal(internal.status, 403);
  assert.match(internal.text, /HTTP Error 403\.503 - Forbidden/);
  assert.doesNotMatch(internal.text, /internal only/);
  assert.equal((await site.get('/docs/public.txt')).text, 'public', 'the folder itself stays open');
});
