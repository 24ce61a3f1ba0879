import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { startSite } from './pipeline-support.js';
import { rawRequest } from '../support/http.js';

test('no URL serves a byte from outside the application folder: ../, %2e%2e, %252e, overlong UTF-8, backslashes, NUL, symlinks out', async () => {
  const site = await startSite(
    { files: { 'www/index.html': 'inside', 'www/sub/page.txt': 'page', 'secret.txt': 'TOP-SECRET', 'outside/other.txt': 'TOP-SECRET too' } },
    after,
  );
  symlinkSync(join(site.poolhost.root, 'secret.txt'), join(site.poolhost.root, 'www', 'link.txt'));
  symlinkSync(join(site.poolhost.root, 'outside'), join(site.poolhost.root, 'www', 'linkdir'));
  const attempts = [
    '/../secret.txt',
    '/sub/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/sub/%2e%2e/%2e%2e/secret.txt',
    '/%2E%2E%2Fsecret.txt',
    '/%252e%252e/secret.txt',
    '/..%5csecret.txt',
    '/sub\\..\\..\\secret.txt',
    '/%5c..%5c..%5csecret.txt',
    '/%c0%ae%c0%ae/secret.txt',
    '/sub/%c0%ae%c0%ae%c0%af%c0%ae%c0%ae%c0%afsecret.txt',
    '/%e0%80%ae%e0%80%ae/secret.txt',
    '/..%c0%afsecret.txt',
    '/secret.txt%00.html',
    '/link.txt',
    '/linkdir/other.txt',
  ];
  for (const path of attempts) {
    // Raw bytes: Node's client would normalise or refuse some of these URLs.
    const response = await rawRequest(site.port, `GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
    const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1]);
    assert.ok(status >= 400 && status < 500, `${path} answered ${status}`);
    assert.doesNotMatch(response, /TOP-SECRET/, path);
  }
  // Dot segments that stay inside are resolved like HTTP.SYS does.
  assert.equal((await site.get('/sub/../index.html')).text, 'inside');
});
