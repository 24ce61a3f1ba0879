// CacheUntilChange for static files: a cached file that is edited, renamed or deleted is flushed at once
// (inotify), so the next response is the new content or a 404.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSite } from '../pipeline/pipeline-support.js';
import { waitFor } from '../support/wait.js';
import { cacheState } from './cache-support.js';

test('an edited, renamed or deleted file is flushed from the cache: the next response is new or 404', async (t) => {
  const diagnostic = (message: string): void => t.diagnostic(message);
  const site = await startSite({ files: { 'www/edited.txt': 'version 1', 'www/renamed.txt': 'renamed', 'www/deleted.txt': 'deleted' }, env: { POOLHOST_LOG_LEVEL: 'debug' } }, after);
  const www = join(site.poolhost.root, 'www');
  const cached = async (path: string): Promise<boolean> =>
    (await cacheState(site.poolhost)).entries.some((entry) => entry.URL === `http://127.0.0.1:${site.port}${path}`);
  // Frequently hit (the threshold, 2) and so cached. One CI run in about eleven kept an entry out after
  // the threshold's requests, cause not found: neither a store after the client's last byte (no case in
  // 80 probes) nor a second routing table (one per start) showed here. httpsys now says why it refuses an
  // offer (debug lines, an inotify limit as a warning): should it happen again, the test reports what
  // httpsys said and allows up to three more requests, and the file must be cached in the end.
  const cache = async (path: string, text: string): Promise<void> => {
    for (let i = 0; i < 2; i++) assert.equal((await site.get(path)).text, text);
    const onTime = await waitFor(`${path} to be cached`, () => cached(path), 5_000).then(() => true, () => false);
    if (!onTime) {
      const said = site.poolhost.logLines.filter((line) => line.service === 'httpsys' && String(line.msg ?? '').startsWith('kernel cache'));
      diagnostic(`${path} not cached after the threshold's requests; httpsys said: ${said.map((line) => line.msg).join(' | ') || 'nothing'}`);
      for (let i = 0; i < 3 && !(await cached(path)); i++) assert.equal((await site.get(path)).text, text);
    }
    assert.ok(await cached(path), `${path} is cached`);
    assert.equal((await site.get(path)).text, text);
  };

  await cache('/edited.txt', 'version 1');
  writeFileSync(join(www, 'edited.txt'), 'version 2, longer');
  await waitFor('the edited file to leave the cache', async () => !(await cached('/edited.txt')), 5_000);
  assert.equal((await site.get('/edited.txt')).text, 'version 2, longer');
  await cache('/edited.txt', 'version 2, longer');

  await cache('/renamed.txt', 'renamed');
  renameSync(join(www, 'renamed.txt'), join(www, 'moved.txt'));
  await waitFor('the renamed file to leave the cache', async () => !(await cached('/renamed.txt')), 5_000);
  assert.equal((await site.get('/renamed.txt')).status, 404);
  assert.equal((await site.get('/moved.txt')).text, 'renamed');

  await cache('/deleted.txt', 'deleted');
  unlinkSync(join(www, 'deleted.txt'));
  await waitFor('the deleted file to leave the cache', async () => !(await cached('/deleted.txt')), 5_000);
  assert.equal((await site.get('/deleted.txt')).status, 404);
  assert.equal((await site.get('/deleted.txt')).status, 404);
  assert.ok(await cached('/edited.txt'), 'other entries stay');
});
