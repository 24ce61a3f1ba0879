import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { startIisnodeApp } from './iisnode-site.js';

const throwsOnLoad = `throw new Error('cannot reach the database (thrown while loading)');`;

test("iisnode: an app that throws while loading gets iisnode's dev error page with its stderr (devErrorsEnabled default true), the pool stays up", async () => {
  const site = await startIisnodeApp({ hello: throwsOnLoad, files: { 'static.txt': 'still served' } }, after);
  const response = await site.get('/app/hello.js');
  assert.equal(response.status, 200);
  assert.match(response.text, /iisnode encountered an error when processing the request/);
  assert.match(response.text, /HTTP status: 500\nHTTP subStatus: 1002/);
  assert.match(response.text, /Application has thrown an uncaught exception and is terminated:\nError: cannot reach the database \(thrown while loading\)/);
  assert.equal((await site.get('/app/static.txt')).text, 'still served', 'the worker process is up');
  // The next request starts the app again and gets the same page (one failure each, no storm).
  assert.match((await site.get('/app/hello.js')).text, /HTTP subStatus: 1002/);
});

test("iisnode: devErrorsEnabled=\"false\" answers IIS's 500 page with iisnode's substatus", async () => {
  const site = await startIisnodeApp({ hello: throwsOnLoad, iisnode: { devErrorsEnabled: 'false' } }, after);
  const response = await site.get('/app/hello.js');
  assert.equal(response.status, 500);
  assert.match(response.text, /HTTP Error 500\.1002/);
  assert.doesNotMatch(response.text, /cannot reach the database/);
});

test('iisnode: an app that crashes during a request gets 500.1013 on the dev error page, and the next request a new process', async () => {
  const hello = `require('http').createServer((req, res) => { if (req.url.includes('crash')) throw new Error('boom in a request'); res.end(String(process.pid)); }).listen(process.env.PORT);`;
  const site = await startIisnodeApp({ hello }, after);
  const before = (await site.get('/app/hello.js')).text;
  const crashed = await site.get('/app/hello.js?crash');
  assert.equal(crashed.status, 200);
  assert.match(crashed.text, /HTTP subStatus: 1013/);
  assert.match(crashed.text, /boom in a request/);
  const after2 = (await site.get('/app/hello.js')).text;
  assert.notEqual(after2, before, 'a new node process answers');
});

test("iisnode: a syntax error in iisnode.yml is iisnode's error page, not a crash; fixing it brings the app back", async () => {
  const hello = `require('http').createServer((req, res) => res.end('Hello, world')).listen(process.env.PORT);`;
  const site = await startIisnodeApp({ hello, files: { 'iisnode.yml': 'nodeProcessCountPerApplication 2\n' } }, after);
  const broken = await site.get('/app/hello.js');
  assert.equal(broken.status, 200);
  assert.match(broken.text, /iisnode was unable to read the configuration file iisnode\.yml/);
  assert.match(broken.text, /iisnode\.yml:1/);
  const invalidBool = `${site.poolhost.root}/app/iisnode.yml`;
  writeFileSync(invalidBool, 'loggingEnabled: maybe\n');
  let invalid = '';
  for (let attempt = 0; attempt < 50 && !invalid.includes('maybe'); attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    invalid = (await site.get('/app/hello.js')).text;
  }
  assert.match(invalid, /iisnode was unable to read the configuration file iisnode\.yml/);
  assert.match(invalid, /loggingEnabled: &quot;maybe&quot; is not a boolean/);
  writeFileSync(invalidBool, 'loggingEnabled: false # fixed\n\nunknownKey: ignored\n');
  let text = '';
  for (let attempt = 0; attempt < 50 && text !== 'Hello, world'; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    text = (await site.get('/app/hello.js')).text;
  }
  assert.equal(text, 'Hello, world');
});
