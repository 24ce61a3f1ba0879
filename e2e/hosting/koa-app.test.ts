import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSite, requireDependency } from '../pipeline/pipeline-support.js';

const app = `
const Koa = ${requireDependency('koa')};
const { Readable } = require('node:stream');
const app = new Koa();
app.use(async (ctx) => {
  if (ctx.path === '/echo' && ctx.method === 'POST') {
    let body = '';
    for await (const chunk of ctx.req) body += chunk;
    ctx.body = { length: body.length, upper: body.toUpperCase() };
  } else if (ctx.path === '/stream') {
    ctx.type = 'text/plain';
    ctx.body = Readable.from((async function* () { for (let i = 0; i < 5; i++) { yield 'chunk ' + i + '\\n'; await new Promise((r) => setTimeout(r, 20)); } })());
  } else if (ctx.path === '/') {
    ctx.body = 'koa home';
  } else {
    ctx.status = 404;
    ctx.body = 'koa does not know ' + ctx.path;
  }
});
module.exports = app;
`;

test('an unmodified Koa app (module.exports = app): routing, request bodies, a streamed response', async () => {
  const site = await startSite({ files: { 'www/server.js': app } }, after);
  assert.equal((await site.get('/')).text, 'koa home');
  assert.deepEqual(JSON.parse((await site.get('/echo', { method: 'POST', body: 'hello koa' })).text), { length: 9, upper: 'HELLO KOA' });
  const streamed = await site.get('/stream');
  assert.equal(streamed.headers['transfer-encoding'], 'chunked');
  assert.equal(streamed.text, [0, 1, 2, 3, 4].map((i) => `chunk ${i}\n`).join(''));
  const missing = await site.get('/nope');
  assert.equal(missing.status, 404);
  assert.equal(missing.text, 'koa does not know /nope');
});
