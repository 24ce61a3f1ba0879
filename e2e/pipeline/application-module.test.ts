import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSite } from './pipeline-support.js';

test('an application module from web.config runs in its stages, in list order, and can end a request early (LogRequest and EndRequest still run)', async () => {
  const site = await startSite(
    {
      files: {
        'www/index.html': 'static home',
        'www/api/server.js': "module.exports = (req, res) => res.end('from the app: ' + (req.headers['x-seen-stages'] || ''));",
        'www/api/timing.js': `
const seen = [];
exports.BeginRequest = (context) => {
  if (context.path.endsWith('/blocked')) {
    context.res.statusCode = 418;
    context.res.end('stopped in BeginRequest');
    context.completeRequest();
    return;
  }
  context.items.set('stages', ['BeginRequest']);
};
exports.AuthorizeRequest = (context) => { context.items.get('stages').push('AuthorizeRequest'); };
exports.PreExecuteRequestHandler = async (context) => {
  await new Promise((resolve) => setTimeout(resolve, 10));
  context.items.get('stages')?.push('PreExecuteRequestHandler');
  context.req.headers['x-seen-stages'] = (context.items.get('stages') || []).join(',');
};
exports.EndRequest = (context) => { context.res.getHeader; seen.push(context.path + ' ' + context.statusCode); };
exports.LogRequest = (context) => { if (context.path.endsWith('/log')) throw new Error('must not break the request'); };
`,
        'www/api/web.config': '<configuration><system.webServer><modules><add name="Timing" type="./timing.js" /></modules></system.webServer></configuration>',
      },
      applications: [
        { path: '/', pool: 'Pool', physicalPath: '{{root}}/www' },
        { path: '/api', pool: 'Pool', physicalPath: '{{root}}/www/api' },
      ],
    },
    after,
  );
  assert.equal((await site.get('/api/x')).text, 'from the app: BeginRequest,AuthorizeRequest,PreExecuteRequestHandler');
  const blocked = await site.get('/api/blocked');
  assert.equal(blocked.status, 418);
  assert.equal(blocked.text, 'stopped in BeginRequest');
  assert.equal((await site.get('/api/log')).status, 200, 'an error after the response is only logged');
  assert.equal((await site.get('/')).text, 'static home', 'other applications do not load the module');
});
