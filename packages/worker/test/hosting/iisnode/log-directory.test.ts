import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogDirectory } from '../../../src/hosting/iisnode/log-directory.js';

test('log files: created on first write, rolled over past the size, oldest deleted past the count and total quotas, index.html', () => {
  const root = mkdtempSync(join(tmpdir(), 'iisnode-logs-'));
  const folder = join(root, 'iisnode');
  try {
    const logs = new LogDirectory(folder, { maxFileBytes: 100, maxTotalBytes: 300, maxFiles: 3 });
    const stdout = logs.writer(42, 'stdout');
    assert.throws(() => readdirSync(folder), 'nothing before the first write');
    for (let index = 0; index < 20; index++) stdout.write(Buffer.from(`${'x'.repeat(59)}\n`));
    const files = readdirSync(folder).filter((name) => name !== 'index.html');
    assert.ok(files.every((name) => /^.+-42-stdout-\d+\.txt$/.test(name)), files.join());
    assert.ok(files.length <= 3, `maxFiles: ${files.join()}`);
    const total = files.reduce((sum, name) => sum + statSync(join(folder, name)).size, 0);
    assert.ok(total <= 300 + 120, `maxTotal: ${total}`);
    assert.ok(files.every((name) => statSync(join(folder, name)).size <= 120));
    const index = readFileSync(join(folder, 'index.html'), 'utf8');
    for (const name of files) assert.ok(index.includes(name));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
