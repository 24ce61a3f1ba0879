import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QUIET_MS, watchFiles } from '../../../src/hosting/iisnode/watched-files.js';

test('watchedFiles: wildcards in the file name, sub-folders by name, one callback per burst of changes', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'watched-'));
  mkdirSync(join(folder, 'lib'));
  mkdirSync(join(folder, 'node_modules'));
  const bursts: string[][] = [];
  const handle = watchFiles(folder, '*.js; lib\\*.json ;iisnode.yml;missing\\*.js', (files) => bursts.push(files.sort()));
  try {
    writeFileSync(join(folder, 'node_modules', 'x.js'), '1');
    writeFileSync(join(folder, 'notes.txt'), '1');
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(bursts.length, 0, 'node_modules/x.js and notes.txt are not watched');
    writeFileSync(join(folder, 'server.js'), '1');
    writeFileSync(join(folder, 'server.js'), '12');
    writeFileSync(join(folder, 'lib', 'config.json'), '{}');
    // Waited for (a loaded machine can take longer than QUIET_MS plus a margin to deliver the events), then
    // two more quiet periods in which no second callback may come.
    const deadline = Date.now() + 10_000;
    while (bursts.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise((resolve) => setTimeout(resolve, 2 * QUIET_MS));
    assert.equal(bursts.length, 1);
    assert.ok(bursts[0]!.includes('server.js') && bursts[0]!.includes('lib/config.json'));
  } finally {
    handle.close();
    rmSync(folder, { recursive: true, force: true });
  }
});
