import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startIisnodeApp } from './iisnode-site.js';
import { waitFor } from '../../support/wait.js';

const LOG_FILE = /^.+-(\d+)-(stdout|stderr)-\d+\.txt$/;

test("iisnode: stdout and stderr go to per-process files in the app's iisnode folder, with index.html, served over HTTP", async () => {
  const hello = `let count = 0;
require('http').createServer((req, res) => { count++; console.log('Request' + count); console.error('warning ' + count); res.end('Hello, world ' + count + ' ' + process.pid); }).listen(process.env.PORT);`;
  const site = await startIisnodeApp({ hello }, after);
  let pid = '';
  for (let index = 1; index <= 3; index++) pid = (await site.get('/app/hello.js')).text.split(' ')[3]!;
  const folder = join(site.poolhost.root, 'app', 'iisnode');
  await waitFor('three lines in the stdout log', () => {
    const stdout = readdirSync(folder).find((name) => name.includes(`-${pid}-stdout-`));
    return stdout !== undefined && readFileSync(join(folder, stdout), 'utf8') === 'Request1\nRequest2\nRequest3\n';
  });
  const names = readdirSync(folder).sort();
  assert.equal(names.length, 3, names.join(', '));
  assert.ok(names.includes('index.html'));
  assert.ok(names.every((name) => name === 'index.html' || (LOG_FILE.test(name) && LOG_FILE.exec(name)![1] === pid)));
  const index = await site.get('/app/iisnode/index.html');
  assert.equal(index.status, 200);
  for (const name of names.filter((file) => file !== 'index.html')) assert.ok(index.text.includes(name), `index.html lists ${name}`);
  const stderr = names.find((name) => name.includes('-stderr-'))!;
  assert.equal((await site.get(`/app/iisnode/${stderr}`)).text, 'warning 1\nwarning 2\nwarning 3\n');
});

test('iisnode: maxLogFileSizeInKB rolls over to a new file; maxLogFiles and maxTotalLogFileSizeInKB delete the oldest', async () => {
  // Each request prints 600 bytes to stdout; 1 KB files roll over every second request.
  const hello = `require('http').createServer((req, res) => { console.log('x'.repeat(599)); res.end('ok'); }).listen(process.env.PORT);`;
  const site = await startIisnodeApp({ hello, iisnode: { maxLogFileSizeInKB: '1', maxLogFiles: '3', maxTotalLogFileSizeInKB: '2' } }, after);
  for (let index = 0; index < 12; index++) assert.equal((await site.get('/app/hello.js')).text, 'ok');
  const folder = join(site.poolhost.root, 'app', 'iisnode');
  await waitFor('the log files written', () => readdirSync(folder).filter((name) => LOG_FILE.test(name)).length >= 2);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const logs = readdirSync(folder).filter((name) => LOG_FILE.test(name));
  const sizes = logs.map((name) => statSync(join(folder, name)).size);
  assert.ok(logs.length <= 3, `at most maxLogFiles (3) files: ${logs.join(', ')}`);
  assert.ok(sizes.every((size) => size <= 1024 + 600), `no file grows past maxLogFileSizeInKB by more than one write: ${sizes.join(', ')}`);
  // 12 × 600 bytes were written; the quota keeps at most 2 KB plus the file being written.
  assert.ok(sizes.reduce((sum, size) => sum + size, 0) <= 2048 + 1624, `total ${sizes.join('+')}`);
  assert.ok(sizes.reduce((sum, size) => sum + size, 0) < 12 * 600, 'old files were deleted');
});

test('iisnode: loggingEnabled="false" writes no log folder', async () => {
  const hello = `require('http').createServer((req, res) => { console.log('not logged'); res.end('ok'); }).listen(process.env.PORT);`;
  const site = await startIisnodeApp({ hello, iisnode: { loggingEnabled: 'false' } }, after);
  assert.equal((await site.get('/app/hello.js')).text, 'ok');
  assert.equal((await site.get('/app/iisnode/index.html')).status, 404);
});
