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
  const deadline = Date.now() + 3_000;
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
