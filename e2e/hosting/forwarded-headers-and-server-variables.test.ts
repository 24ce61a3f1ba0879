import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSite } from '../pipeline/pipeline-support.js';

const app = `
module.exports = (req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({
    remoteAddress: req.socket.remoteAddress,
    forwardedFor: req.headers['x-forwarded-for'],
    forwardedProto: req.headers['x-forwarded-proto'],
    forwardedHost: req.headers['x-forwarded-host'],
    promoted: req.headers['x-iisnode-app_pool_id'],
    vars: req.serverVariables,
    env: { APP_POOL_ID: process.env.APP_POOL_ID, APPL_PHYSICAL_PATH: process.env.APPL_PHYSICAL_PATH },
  }));
};
`;

test('the app sees the client address, x-forwarded-*, IIS server variables (req.serverVariables, env, promoteServerVars)', async () => {
  const site = await startSite(
    {
      files: { 'app/server.js': app, 'app/web.config': '<configuration><system.webServer><iisnode promoteServerVars="APP_POOL_ID" /></system.webServer></configuration>' },
      applications: [{ path: '/app', pool: 'Pool', physicalPath: '{{root}}/app' }],
    },
    after,
  );
  const seen = JSON.parse((await site.get('/app/where?a=b', { headers: { 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'https', host: 'example.test:8443' } })).text);
  assert.equal(seen.remoteAddress, '127.0.0.1');
  assert.equal(seen.forwardedFor, '203.0.113.9, 127.0.0.1');
  assert.equal(seen.forwardedProto, 'https', "the client's (or a proxy's) X-Forwarded-Proto is kept, never overwritten (iisnode's rule)");
  assert.equal(seen.forwardedHost, 'example.test:8443');
  assert.equal(seen.promoted, 'Pool');
  const root = `${site.poolhost.root}/app/`;
  assert.deepEqual(
    {
      APP_POOL_ID: seen.vars.APP_POOL_ID,
      APPL_PHYSICAL_PATH: seen.vars.APPL_PHYSICAL_PATH,
      APPL_MD_PATH: seen.vars.APPL_MD_PATH,
      REMOTE_ADDR: seen.vars.REMOTE_ADDR,
      SERVER_PORT: seen.vars.SERVER_PORT,
      HTTPS: seen.vars.HTTPS,
      SERVER_NAME: seen.vars.SERVER_NAME,
      QUERY_STRING: seen.vars.QUERY_STRING,
      URL: seen.vars.URL,
      REQUEST_METHOD: seen.vars.REQUEST_METHOD,
      INSTANCE_ID: seen.vars.INSTANCE_ID,
    },
    {
      APP_POOL_ID: 'Pool',
      APPL_PHYSICAL_PATH: root,
      APPL_MD_PATH: '/LM/W3SVC/1/ROOT/app',
      REMOTE_ADDR: '127.0.0.1',
      SERVER_PORT: String(site.port),
      HTTPS: 'off',
      SERVER_NAME: 'example.test',
      QUERY_STRING: 'a=b',
      URL: '/app/where',
      REQUEST_METHOD: 'GET',
      INSTANCE_ID: '1',
    },
  );
  assert.deepEqual(seen.env, { APP_POOL_ID: 'Pool', APPL_PHYSICAL_PATH: root });
});
