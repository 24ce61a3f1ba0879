import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '@poolhost/common';
import { ConfigWatcher } from '../../src/configuration/config-watcher.js';

const root = mkdtempSync(join(tmpdir(), 'was-watch-'));
after(() => rmSync(root, { recursive: true, force: true }));
const logger = createLogger({ service: 'was', destination: new Writable({ write: (_chunk, _encoding, done) => done() }) });

async function until(what: string, condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test('edits by rename, bursts and web.config changes are each reported once, with their new contents', async () => {
  const file = join(root, 'applicationHost.config');
  const site = join(root, 'site');
  mkdirSync(site);
  writeFileSync(file, 'one');
  const texts: string[] = [];
  const webConfigs: string[][] = [];
  const watcher = new ConfigWatcher({
    file,
    webConfigFolders: () => [site],
    applicationHostChanged: async (text) => void texts.push(text),
    webConfigsChanged: async (files) => void webConfigs.push(files),
    logger,
    debounceMs: 50,
  });
  await watcher.start();
  try {
    // An editor that writes a temp file and renames it over the original.
    writeFileSync(join(root, '.applicationHost.config.tmp'), 'two');
    renameSync(join(root, '.applicationHost.config.tmp'), file);
    await until('the renamed file', () => texts.length === 1);
    assert.deepEqual(texts, ['two']);
    // A burst of writes is debounced into one change.
    for (const text of ['three', 'four', 'five']) writeFileSync(file, text);
    await until('the burst', () => texts.length === 2);
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.deepEqual(texts, ['two', 'five']);
    // Touching without a change is not a change.
    writeFileSync(file, 'five');
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(texts.length, 2);
    // A web.config created in a virtual directory folder.
    writeFileSync(join(site, 'web.config'), '<configuration />');
    await until('the web.config', () => webConfigs.length === 1);
    assert.deepEqual(webConfigs, [[join(site, 'web.config')]]);
    assert.equal(texts.length, 2);
  } finally {
    watcher.close();
  }
});

test('a web.config created, changed or deleted in any sub-folder is reported; folders that appear are watched; node_modules is not', async () => {
  const file = join(root, 'sub-folders.config');
  const site = join(root, 'deep-site');
  mkdirSync(join(site, 'a', 'b'), { recursive: true });
  mkdirSync(join(site, 'node_modules', 'pkg'), { recursive: true });
  writeFileSync(file, 'config');
  const webConfigs: string[][] = [];
  const watcher = new ConfigWatcher({ file, webConfigFolders: () => [site], applicationHostChanged: async () => undefined, webConfigsChanged: async (files) => void webConfigs.push(files), logger, debounceMs: 50 });
  await watcher.start();
  try {
    // The walk of the sub-folders is asynchronous (readdir on libuv's threads, slow on a loaded machine):
    // waited for by the folders the watcher holds, not by a 200 ms pause.
    await until('the sub-folders to be walked', () => watcher.watchesSubfolder(join(site, 'a', 'b')));
    const deep = join(site, 'a', 'b', 'web.config');
    writeFileSync(deep, '<configuration />');
    await until('the created sub-folder web.config', () => webConfigs.length === 1);
    assert.deepEqual(webConfigs[0], [deep]);
    writeFileSync(deep, '<configuration><system.webServer /></configuration>');
    await until('the changed one', () => webConfigs.length === 2);
    rmSync(deep);
    await until('the deleted one', () => webConfigs.length === 3);
    assert.deepEqual(webConfigs[2], [deep]);
    // A folder that appears, holding a web.config (moved into place).
    mkdirSync(join(root, 'staged'));
    writeFileSync(join(root, 'staged', 'web.config'), '<configuration />');
    renameSync(join(root, 'staged'), join(site, 'a', 'new'));
    await until('the folder moved in', () => webConfigs.length === 4);
    assert.deepEqual(webConfigs[3], [join(site, 'a', 'new', 'web.config')]);
    writeFileSync(join(site, 'node_modules', 'pkg', 'web.config'), '<configuration />');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(webConfigs.length, 4, 'node_modules is not watched');
  } finally {
    watcher.close();
  }
});

test('a shared file is polled without notifications (enableUncPolling); its folder gone is reported once, and its return is a change', async () => {
  const shared = join(root, 'shared');
  mkdirSync(shared);
  const file = join(shared, 'applicationHost.config');
  writeFileSync(file, 'one');
  const texts: string[] = [];
  const unreadable: string[] = [];
  const watcher = new ConfigWatcher({
    file,
    webConfigFolders: () => [],
    applicationHostChanged: async (text) => void texts.push(text),
    webConfigsChanged: async () => undefined,
    applicationHostUnreadable: async (error) => void unreadable.push(error.code ?? ''),
    pollIntervalMs: 50,
    pollOnly: true,
    logger,
  });
  await watcher.start();
  try {
    writeFileSync(file, 'two');
    await until('the poll to see the edit', () => texts.length === 1);
    renameSync(shared, `${shared}.away`);
    await until('the folder gone to be reported', () => unreadable.length === 1);
    // Several more polls see it still gone: reported once.
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(unreadable, ['ENOENT']);
    renameSync(`${shared}.away`, shared);
    // Unchanged contents coming back still count: the host goes back from its cached copy to the shared file.
    await until('the return to be a change', () => texts.length === 2);
    assert.deepEqual(texts, ['two', 'two']);
  } finally {
    watcher.close();
  }
});
