// CacheUntilChange for static files: a cached file that is edited, renamed or deleted is flushed at once
// (inotify), so the next response is the new content or a 404.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSite } from '../pipeline/pipeline-support.js';
import { waitFor } from '../support/wait.js';
import { cacheState } from './cache-support.js';

test('an edited, renamed or deleted file is flushed from the cache: the next response is new or 404', async () => {
  const site = await startSite({ files: { 'www/edited.txt': 'version 1', 'www/renamed.txt': 'renamed', 'www/deleted.txt': 'deleted' } }, after);
  const www = join(site.poolhost.root, 'www');
  const cached = async (path: string): Promise<boolean> =>
    (await cacheState(site.poolhost)).entries.some((entry) => entry.URL === `http://127.0.0.1:${site.port}${path}`);
  // Frequently hit (the threshold, 2) and so cached. httpsys stores the response when the worker ends
  // it, which may come after the client has every byte (a file the worker's file cache does not hold
  // yet is streamed from disk, and its end follows one more read): the entry is waited for. A refusal
  // (an inotify limit of the host, say) would keep it out for good: httpsys' kernel cache lines say why.
  const cache = async (path: string, text: string): Promise<void> => {
    for (let i = 0; i < 2; i++) assert.equal((await site.get(path)).text, text);
    await waitFor(`${path} to be cached after the threshold's requests`, () => cached(path), 15_000).catch((error: Error) => {
      const said = site.poolhost.logLines.filter((line) => line.service === 'httpsys' && String(line.msg ?? '').startsWith('kernel cache'));
      throw new Error(`${error.message}; httpsys said: ${said.map((line) => line.msg).join(' | ') || 'nothing'}`);
    });
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
