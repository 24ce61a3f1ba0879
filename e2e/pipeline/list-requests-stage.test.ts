import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSite } from './pipeline-support.js';
import { waitFor } from '../support/wait.js';

test('appcmd list requests shows the real pipeline stage and module of requests in flight', async () => {
  const site = await startSite(
    {
      files: {
        'www/server.js': "module.exports = (req, res) => setTimeout(() => res.end('slow'), 3000);",
        // An application module that holds requests for /held in BeginRequest.
        'www/hold-module.js': "exports.BeginRequest = (context) => context.path.startsWith('/held') ? new Promise((resolve) => setTimeout(resolve, 3000)) : undefined;",
        'www/web.config': '<configuration><system.webServer><modules><add name="HoldModule" type="./hold-module.js" /></modules></system.webServer></configuration>',
      },
    },
    after,
  );
  const slow = site.get('/app-work', { timeoutMs: 10_000 });
  const held = site.get('/held', { timeoutMs: 10_000 });
  let stdout = '';
  await waitFor('both requests listed', async () => {
    stdout = (await site.appcmd('list', 'requests')).stdout;
    return stdout.includes('/app-work') && stdout.includes('/held');
  }, 5_000);
  const line = (url: string) => stdout.split('\n').find((candidate) => candidate.includes(url)) ?? '';
  assert.match(line('/app-work'), /stage:ExecuteRequestHandler, module:iisnode\)/);
  assert.match(line('/held'), /stage:BeginRequest, module:HoldModule\)/);
  assert.equal((await slow).text, 'slow');
  assert.equal((await held).text, 'slow');
});
