import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensurePoolTempDirectory } from '../../src/worker-process/pool-temp-directory.js';

test('ensurePoolTempDirectory returns the pool\'s folder and every folder it made sure of, parents first, with their modes', () => {
  const folder = mkdtempSync(join(tmpdir(), 'pool-temp-'));
  try {
    const runDirectory = join(folder, 'run');
    mkdirSync(runDirectory, { mode: 0o700 });
    const { directory, ensured } = ensurePoolTempDirectory(runDirectory, 'A/B pool', undefined);
    assert.equal(directory, join(`${runDirectory}-temp`, 'apppools', 'A_B pool'));
    assert.deepEqual(ensured, [`${runDirectory}-temp`, join(`${runDirectory}-temp`, 'apppools'), directory]);
    assert.deepEqual(ensured.map((path) => statSync(path).mode & 0o777), [0o711, 0o711, 0o700]);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});
