import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StaticFileApplication } from '../../src/hosting/static-file-application.js';
import { findEntryScript } from '../../src/hosting/entry-script.js';

const root = mkdtempSync(join(tmpdir(), 'w3wp-static-'));
let server: Server;
let port = 0;

before(async () => {
  mkdirSync(join(root, 'docs'));
  writeFileSync(join(root, 'index.html'), '<h1>start</h1>');
  writeFileSync(join(root, 'docs', 'Default.htm'), 'docs default');
  writeFileSync(join(root, 'web.config'), '<configuration/>');
  writeFileSync(join(root, 'style.css'), 'body{}');
  const application = new StaticFileApplication(1, 'Default Web Site', '/site', [{ path: '/', physicalPath: root }]);
  server = createServer((req, res) => application.handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
after(() => {
  server.close();
  rmSync(root, { recursive: true, force: true });
});

function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    request({ port, host: '127.0.0.1', path, headers }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    })
      .on('error', reject)
      .end();
  });
}

test('default documents, MIME types, ETag and Range', async () => {
  const start = await get('/site/');
  assert.equal(start.status, 200);
  assert.equal(start.body, '<h1>start</h1>');
  assert.match(String(start.headers['content-type']), /text\/html/);
  assert.ok(start.headers.etag);
  assert.equal((await get('/site/docs/')).body, 'docs default');
  assert.match(String((await get('/site/style.css')).headers['content-type']), /text\/css/);
  const range = await get('/site/style.css', { Range: 'bytes=0-3' });
  assert.equal(range.status, 206);
  assert.equal(range.body, 'body');
});

test('a directory without its slash is redirected with 301 to the full URL', async () => {
  const moved = await get('/site/docs?x=1');
  assert.equal(moved.status, 301);
  assert.equal(moved.headers.location, '/site/docs/?x=1');
});

test('nothing outside the folder, no hidden segments, 404 otherwise', async () => {
  assert.equal((await get('/site/web.config')).status, 404);
  assert.equal((await get('/site/missing.txt')).status, 404);
  assert.notEqual((await get('/site/..%2f..%2fetc/passwd')).status, 200);
  assert.notEqual((await get('/site/../../etc/passwd')).status, 200);
});

test('entry script: iisnode handler path, then package.json main, then server.js/app.js/index.js', () => {
  const folder = mkdtempSync(join(tmpdir(), 'w3wp-entry-'));
  try {
    assert.equal(findEntryScript(folder, null), null);
    writeFileSync(join(folder, 'index.js'), '');
    assert.equal(findEntryScript(folder, null), join(folder, 'index.js'));
    writeFileSync(join(folder, 'app.js'), '');
    assert.equal(findEntryScript(folder, null), join(folder, 'app.js'));
    writeFileSync(join(folder, 'main.js'), '');
    writeFileSync(join(folder, 'package.json'), JSON.stringify({ main: 'main.js' }));
    assert.equal(findEntryScript(folder, null), join(folder, 'main.js'));
    writeFileSync(join(folder, 'hello.js'), '');
    assert.equal(findEntryScript(folder, 'hello.js'), join(folder, 'hello.js'));
    assert.equal(findEntryScript(folder, '*.js'), join(folder, 'main.js'), 'a wildcard handler path names no script');
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});
