import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSite } from './pipeline-support.js';
import { waitFor } from '../support/wait.js';

test('appcmd list requests shows the real pipeline stage and module of requests in flight', async () => {
  const site = await startSite(
    {
      files: {
        // Requests are held until /release, not for a fixed time: on a loaded machine the worker's demand start
        // and each appcmd run take seconds, and 3 s requests were over before appcmd looked.
        'www/server.js': `const held = (globalThis.held ??= []);
module.exports = (req, res) => {
  if (req.url === '/release') {
    const waiting = held.splice(0);
    for (const release of waiting) release();
    res.end('released ' + waiting.length);
  } else if (req.url.startsWith('/held')) res.end('slow');
  else held.push(() => res.end('slow'));
};`,
        // An application module that holds requests for /held in BeginRequest (until /release, as above).
        'www/hold-module.js': "exports.BeginRequest = (context) => context.path.startsWith('/held') ? new Promise((resolve) => (globalThis.held ??= []).push(resolve)) : undefined;",
        'www/web.config': '<configuration><system.webServer><modules><add name="HoldModule" type="./hold-module.js" /></modules></system.webServer></configuration>',
      },
    },
    after,
  );
  const slow = site.get('/app-work', { timeoutMs: 60_000 });
  const held = site.get('/held', { timeoutMs: 60_000 });
  let stdout = '';
  await waitFor('both requests listed', async () => {
    stdout = (await site.appcmd('list', 'requests')).stdout;
    return stdout.includes('/app-work') && stdout.includes('/held');
  }, 30_000);
  const line = (url: string) => stdout.split('\n').find((candidate) => candidate.includes(url)) ?? '';
  assert.match(line('/app-work'), /stage:ExecuteRequestHandler, module:iisnode\)/);
  assert.match(line('/held'), /stage:BeginRequest, module:HoldModule\)/);
  assert.equal((await site.get('/release')).text, 'released 2');
  assert.equal((await slow).text, 'slow');
  assert.equal((await held).text, 'slow');
});
