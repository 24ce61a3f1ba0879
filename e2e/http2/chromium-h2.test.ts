// Debian's Chromium (playwright-core) loads a page of many assets from an https binding over HTTP/2:
// the test certificate is trusted by its key alone (--ignore-certificate-errors-spki-list), every asset's
// Resource Timing says `h2`, and the site's W3C log has one `HTTP/2.0` line per request.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { freePort } from '../support/http.js';
import { waitFor } from '../support/wait.js';
import { chromiumSkip, launchChromium } from '../support/chromium.js';
import { w3cRecords } from '../limits/limits-support.js';
import { startHttp2Site } from './http2-support.js';

const IMAGES = 60;
const SCRIPTS = 10;

/** A page naming IMAGES images and SCRIPTS scripts, and those assets (small: many responses on one connection). */
const pageApp = `module.exports = (req, res) => {
  let match;
  if (req.url === '/page') {
    let html = '<!doctype html><html><head><title>h2</title></head><body>';
    for (let i = 0; i < ${IMAGES}; i++) html += '<img alt="" src="/img/' + i + '.svg">';
    for (let i = 0; i < ${SCRIPTS}; i++) html += '<script src="/js/' + i + '.js"></script>';
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    return res.end(html + '</body></html>');
  }
  if ((match = /^\\/img\\/(\\d+)\\.svg$/.exec(req.url))) {
    res.writeHead(200, { 'content-type': 'image/svg+xml' });
    return res.end('<svg xmlns="http://www.w3.org/2000/svg" width="' + (5 + Number(match[1])) + '" height="5"><rect width="100%" height="100%" fill="#c63"/></svg>');
  }
  if ((match = /^\\/js\\/(\\d+)\\.js$/.exec(req.url))) {
    res.writeHead(200, { 'content-type': 'text/javascript' });
    return res.end('window.ran = (window.ran || 0) + 1;');
  }
  res.writeHead(404);
  res.end();
};`;

/** base64 SHA-256 of the certificate's SubjectPublicKeyInfo: what --ignore-certificate-errors-spki-list takes. */
function spkiHash(certFile: string): string {
  const spki = new X509Certificate(readFileSync(certFile)).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

test('Chromium loads a page of 70 assets over h2: every asset h2 by Resource Timing, every W3C line HTTP/2.0', { skip: chromiumSkip }, async () => {
  const site = await startHttp2Site({ httpsPort: await freePort(), httpPort: await freePort(), app: pageApp }, after);
  const browser = await launchChromium(
    ['--host-resolver-rules=MAP www.example.test 127.0.0.1', `--ignore-certificate-errors-spki-list=${spkiHash(site.certificate.certFile)}`],
    after,
  );
  const context = await browser.newContext();
  const page = await context.newPage();
  const failed: string[] = [];
  page.on('requestfailed', (request) => failed.push(`${request.url()}: ${request.failure()?.errorText}`));
  const response = (await page.goto(`https://www.example.test:${site.httpsPort}/page`, { waitUntil: 'load' }))!;
  assert.equal(response.status(), 200);
  // In the page (this tsconfig has no DOM types: the expression is a string).
  const seen = (await page.evaluate(`({
    navigation: performance.getEntriesByType('navigation')[0].nextHopProtocol,
    assets: performance.getEntriesByType('resource').map((entry) => [new URL(entry.name).pathname, entry.nextHopProtocol]),
    ran: window.ran,
    images: [...document.images].filter((image) => image.complete && image.naturalWidth > 0).length,
  })`)) as { navigation: string; assets: [string, string][]; ran: number; images: number };
  await context.close();
  assert.deepEqual(failed, []);
  assert.deepEqual({ ...seen, assets: undefined }, { navigation: 'h2', assets: undefined, ran: SCRIPTS, images: IMAGES });
  const assets = new Map(seen.assets.filter(([path]) => /^\/(img|js)\//.test(path)));
  assert.equal(assets.size, IMAGES + SCRIPTS, 'every asset has a Resource Timing entry');
  assert.deepEqual(new Set(assets.values()), new Set(['h2']), 'every asset over h2');
  assert.deepEqual(new Set(seen.assets.map(([, protocol]) => protocol)), new Set(['h2']), 'and anything else the page fetched');

  const ours = () => w3cRecords(site.poolhost.root).filter((record) => /^\/(page|img\/|js\/)/.test(record['cs-uri-stem'] ?? ''));
  await waitFor('a W3C line for every request', () => ours().length >= 1 + IMAGES + SCRIPTS, 15_000);
  const records = ours();
  assert.equal(records.length, 1 + IMAGES + SCRIPTS, 'one line per request');
  assert.deepEqual(new Set(records.map((record) => `${record['cs-version']} ${record['sc-status']}`)), new Set(['HTTP/2.0 200']));
});
