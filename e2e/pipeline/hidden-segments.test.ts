import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSite } from './pipeline-support.js';

test("hidden segments (IIS's defaults plus node_modules) are 404.8 wherever they appear in the path", async () => {
  const site = await startSite(
    {
      files: {
        'www/index.html': 'home',
        'www/bin/tool.txt': 'binary',
        'www/App_Data/db.txt': 'data',
        'www/node_modules/lib/index.txt': 'module',
        'www/sub/web.config': '<configuration />',
        'www/sub/ok.txt': 'ok',
      },
    },
    after,
  );
  for (const path of ['/web.config', '/bin/tool.txt', '/BIN/tool.txt', '/App_Data/db.txt', '/node_modules/lib/index.txt', '/sub/web.config', '/sub/%62in/x']) {
    const response = await site.get(path);
    assert.equal(response.status, 404, path);
    assert.match(response.text, /HTTP Error 404\.8 - Not Found/, path);
    assert.doesNotMatch(response.text, />(binary|data|module)</, path);
    assert.ok(!['binary', 'data', 'module'].includes(response.text), path);
  }
  assert.equal((await site.get('/sub/ok.txt')).text, 'ok');
});
