import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startIisnodeApp } from './iisnode-site.js';

// Echoes what the node process sees: its pid, environment and request headers.
const hello = `
require('http').createServer((req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ pid: process.pid, ppid: process.ppid, env: { NODE_ENV: process.env.NODE_ENV, GREETING: process.env.GREETING, REGION: process.env.REGION, IISNODE_VERSION: process.env.IISNODE_VERSION }, headers: req.headers, cwd: process.cwd() }));
}).listen(process.env.PORT);
`;

test('iisnode: node_env is NODE_ENV, appSettings are environment variables, the app runs in its own node process in its folder', async () => {
  const site = await startIisnodeApp(
    {
      hello,
      iisnode: { node_env: 'staging', debuggingEnabled: 'false' },
      appSettings: { GREETING: 'hello from web.config' },
      // The site root's appSettings reach the application below it, as .NET inherits them; its own win.
      siteRootFiles: { 'web.config': '<configuration><appSettings><add key="GREETING" value="from the site root" /><add key="REGION" value="north" /></appSettings></configuration>' },
    },
    after,
  );
  const seen = JSON.parse((await site.get('/app/hello.js')).text);
  assert.equal(seen.env.NODE_ENV, 'staging');
  assert.equal(seen.env.GREETING, 'hello from web.config');
  assert.equal(seen.env.REGION, 'north');
  assert.equal(seen.env.IISNODE_VERSION, 'poolhost');
  assert.equal(seen.cwd, `${site.poolhost.root}/app`);
  const workers = await site.appcmd('list', 'wp');
  assert.match(workers.stdout, new RegExp(`WP "${seen.ppid}"`), 'the node process is a child of the pool\'s w3wp');
  assert.notEqual(seen.pid, seen.ppid);
  // An attribute poolhost accepts but cannot act on is reported, not dropped in silence.
  const reported = site.poolhost.logLines.filter((line) => /have no effect/.test(String(line.msg)));
  assert.equal(reported.length, 1);
  assert.match(String(reported[0]!.msg), /hello\.js that have no effect on poolhost: debuggingEnabled="false" \(iisnode's node-inspector debugger/);
});

test('iisnode: enableXFF appends the client once and keeps what the client sent; promoteServerVars; iisnode-debug', async () => {
  const site = await startIisnodeApp({ hello, iisnode: { enableXFF: 'true', promoteServerVars: 'REQUEST_METHOD,APP_POOL_ID', debugHeaderEnabled: 'true' } }, after);
  const plain = await site.get('/app/hello.js');
  const seen = JSON.parse(plain.text);
  assert.equal(seen.headers['x-forwarded-for'], '127.0.0.1');
  assert.equal(seen.headers['x-forwarded-proto'], 'http');
  assert.equal(seen.headers['x-iisnode-request_method'], 'GET');
  assert.equal(seen.headers['x-iisnode-app_pool_id'], 'Pool');
  assert.match(String(plain.headers['iisnode-debug']), new RegExp(`^http://bit\\.ly/NsU2nd#iisnode_ver=.*&node_pid=${seen.pid}&`));

  const proxied = JSON.parse((await site.get('/app/hello.js', { headers: { 'x-forwarded-for': '1.1.1.1', 'x-forwarded-proto': 'https' } })).text);
  assert.equal(proxied.headers['x-forwarded-for'], '1.1.1.1, 127.0.0.1');
  assert.equal(proxied.headers['x-forwarded-proto'], 'https', "the client's X-Forwarded-Proto is kept");
  const already = JSON.parse((await site.get('/app/hello.js', { headers: { 'x-forwarded-for': '127.0.0.1' } })).text);
  assert.equal(already.headers['x-forwarded-for'], '127.0.0.1', 'not duplicated when the list already ends with the client');
});

test('iisnode: enableXFF defaults to false, as in iisnode; debugHeaderEnabled defaults to false', async () => {
  const site = await startIisnodeApp({ hello }, after);
  const response = await site.get('/app/hello.js', { headers: { 'x-forwarded-proto': 'https' } });
  const seen = JSON.parse(response.text);
  assert.equal(seen.headers['x-forwarded-for'], undefined);
  assert.equal(seen.headers['x-forwarded-proto'], 'https');
  assert.equal(response.headers['iisnode-debug'], undefined);
});
