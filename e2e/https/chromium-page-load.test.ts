// A page with many assets loaded by Debian's Chromium (playwright-core) over an https binding with a test
// certificate. Chromium trusts exactly that certificate's key — its SPKI pinned with
// --ignore-certificate-errors-spki-list, not every error ignored: a name whose certificate is not pinned
// fails with ERR_CERT_AUTHORITY_INVALID. The page loads over h2 (ALPN, HTTP/2 on by default) and, on a
// binding with sslFlags 4, over HTTP/1.1 (Chromium's six keep-alive connections); every asset arrives,
// every script runs, every image decodes, every stylesheet applies.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { freePort } from '../support/http.js';
import { chromiumSkip, launchChromium } from '../support/chromium.js';
import { newAuthority, startHttpsServer } from './https-support.js';

const SCRIPTS = 20;
const IMAGES = 20;
const STYLESHEETS = 10;

// The site's app: an HTML page naming every asset, and the assets (each a few hundred bytes, so the page
// is many small responses on few connections, as a real page's are).
const pageApp = `
const SCRIPTS = ${SCRIPTS}, IMAGES = ${IMAGES}, STYLESHEETS = ${STYLESHEETS};
module.exports = (req, res) => {
  const url = req.url;
  let match;
  if (url === '/') {
    // No favicon request (Chromium fetches /favicon.ico at a moment of its choosing, into Resource Timing or not).
    let html = '<!doctype html><html><head><title>assets</title><link rel="icon" href="data:,">';
    for (let i = 0; i < STYLESHEETS; i++) html += '<link rel="stylesheet" href="/css/' + i + '.css">';
    html += '</head><body>';
    for (let i = 0; i < STYLESHEETS; i++) html += '<p id="p' + i + '">paragraph ' + i + '</p>';
    for (let i = 0; i < IMAGES; i++) html += '<img alt="" src="/img/' + i + '.svg">';
    for (let i = 0; i < SCRIPTS; i++) html += '<script src="/js/' + i + '.js"></script>';
    html += '</body></html>';
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    return res.end(html);
  }
  if ((match = /^\\/js\\/(\\d+)\\.js$/.exec(url))) {
    res.writeHead(200, { 'content-type': 'text/javascript' });
    return res.end('window.ranScripts = (window.ranScripts || []).concat(' + match[1] + ');\\n/*' + 'x'.repeat(300) + '*/');
  }
  if ((match = /^\\/img\\/(\\d+)\\.svg$/.exec(url))) {
    res.writeHead(200, { 'content-type': 'image/svg+xml' });
    return res.end('<svg xmlns="http://www.w3.org/2000/svg" width="' + (10 + Number(match[1])) + '" height="10"><rect width="100%" height="100%" fill="#36c"/></svg>');
  }
  if ((match = /^\\/css\\/(\\d+)\\.css$/.exec(url))) {
    res.writeHead(200, { 'content-type': 'text/css' });
    return res.end('#p' + match[1] + ' { margin-left: ' + (100 + Number(match[1])) + 'px; }');
  }
  res.writeHead(404);
  res.end();
};
`;

/** base64 SHA-256 of the certificate's SubjectPublicKeyInfo: what --ignore-certificate-errors-spki-list takes. */
function spkiHash(certFile: string): string {
  const spki = new X509Certificate(readFileSync(certFile)).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

interface PageLoad {
  status: number;
  tlsProtocol: string | undefined;
  certificateSubject: string | undefined;
  /** The navigation's and every asset's ALPN protocol as the page's Resource Timing saw it (`<path> <protocol>`, sorted). */
  navigationProtocol: string;
  assetProtocols: string[];
  assetStatuses: number[];
  failed: string[];
  ranScripts: number[];
  decodedImages: number;
  appliedStylesheets: number;
}

async function loadPage(browser: Browser, url: string): Promise<PageLoad> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const assetStatuses: number[] = [];
  const failed: string[] = [];
  page.on('response', (response) => {
    if (response.url() !== url) assetStatuses.push(response.status());
  });
  page.on('requestfailed', (request) => failed.push(`${request.url()}: ${request.failure()?.errorText}`));
  const response = (await page.goto(url, { waitUntil: 'load' }))!;
  const security = await response.securityDetails();
  // In the page (this tsconfig has no DOM types: the expression is a string).
  const inPage = (await page.evaluate(`({
    navigationProtocol: performance.getEntriesByType('navigation')[0].nextHopProtocol,
    assetProtocols: performance.getEntriesByType('resource').map((entry) => new URL(entry.name).pathname + ' ' + entry.nextHopProtocol).sort(),
    ranScripts: (window.ranScripts || []).slice(),
    decodedImages: [...document.images].filter((image) => image.complete && image.naturalWidth > 0).length,
    appliedStylesheets: [...document.querySelectorAll('p')].filter((p) => getComputedStyle(p).marginLeft === (100 + Number(p.id.slice(1))) + 'px').length,
  })`)) as Pick<PageLoad, 'navigationProtocol' | 'assetProtocols' | 'ranScripts' | 'decodedImages' | 'appliedStylesheets'>;
  await context.close();
  return {
    status: response.status(),
    tlsProtocol: security?.protocol,
    certificateSubject: security?.subjectName,
    assetStatuses,
    failed,
    ...inPage,
  };
}

test('Chromium loads a page of 50 assets over https (h2, and HTTP/1.1 where sslFlags 4), trusting only the pinned certificate', { skip: chromiumSkip }, async () => {
  const authority = newAuthority();
  const port = await freePort();
  const www = authority.issue('www', ['www.example.test']);
  const legacy = authority.issue('legacy', ['legacy.example.test']);
  const unpinned = authority.issue('unpinned', ['unpinned.example.test']);
  await startHttpsServer(
    {
      sites: [{ name: 'Assets', id: 1, bindings: [`https/*:${port}:www.example.test#1`, `https/*:${port}:legacy.example.test#5`, `https/*:${port}:unpinned.example.test#1`] }],
      store: [
        { hostnameport: `www.example.test:${port}`, certfile: www.certFile, keyfile: www.keyFile },
        { hostnameport: `legacy.example.test:${port}`, certfile: legacy.certFile, keyfile: legacy.keyFile },
        { hostnameport: `unpinned.example.test:${port}`, certfile: unpinned.certFile, keyfile: unpinned.keyFile },
      ],
      waitForPort: port,
      app: pageApp,
    },
    after,
  );
  const browser = await launchChromium(
    [
      '--host-resolver-rules=MAP www.example.test 127.0.0.1, MAP legacy.example.test 127.0.0.1, MAP unpinned.example.test 127.0.0.1',
      `--ignore-certificate-errors-spki-list=${spkiHash(www.certFile)},${spkiHash(legacy.certFile)}`,
    ],
    after,
  );
  const assetPaths = [
    ...Array.from({ length: SCRIPTS }, (_, i) => `/js/${i}.js`),
    ...Array.from({ length: IMAGES }, (_, i) => `/img/${i}.svg`),
    ...Array.from({ length: STYLESHEETS }, (_, i) => `/css/${i}.css`),
  ];
  const assets = assetPaths.length;
  const expected = (protocol: string): Partial<PageLoad> => ({
    status: 200,
    tlsProtocol: 'TLS 1.3',
    navigationProtocol: protocol,
    assetProtocols: assetPaths.map((path) => `${path} ${protocol}`).sort(),
    assetStatuses: Array<number>(assets).fill(200),
    failed: [],
    ranScripts: Array.from({ length: SCRIPTS }, (_, i) => i),
    decodedImages: IMAGES,
    appliedStylesheets: STYLESHEETS,
  });

  const overH2 = await loadPage(browser, `https://www.example.test:${port}/`);
  assert.equal(overH2.certificateSubject, 'www.example.test');
  assert.deepEqual({ ...overH2, certificateSubject: undefined }, { ...expected('h2'), certificateSubject: undefined });

  const overHttp11 = await loadPage(browser, `https://legacy.example.test:${port}/`);
  assert.equal(overHttp11.certificateSubject, 'legacy.example.test');
  assert.deepEqual({ ...overHttp11, certificateSubject: undefined }, { ...expected('http/1.1'), certificateSubject: undefined });

  // Not pinned: Chromium refuses the certificate of the same test CA — trust was that one key, not "any".
  await assert.rejects(loadPage(browser, `https://unpinned.example.test:${port}/`), /net::ERR_CERT_AUTHORITY_INVALID/);
});
