import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDirectoryTree, createDirectoryTreeAsync, DirectoryTreeError } from '../../src/index.js';

function inTemporaryFolder(body: (folder: string) => void): void {
  const folder = mkdtempSync(join(tmpdir(), 'poolhost-directory-tree-'));
  try {
    body(folder);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

test('createDirectoryTree creates every missing level with the mode, and accepts one that exists', () => {
  inTemporaryFolder((folder) => {
    const deepest = join(folder, 'a', 'b', 'c');
    createDirectoryTree(deepest, 0o700);
    for (const level of [join(folder, 'a'), join(folder, 'a', 'b'), deepest]) assert.equal(statSync(level).mode & 0o777, 0o700);
    createDirectoryTree(deepest, 0o700);
    mkdirSync(join(folder, 'real'));
    symlinkSync(join(folder, 'real'), join(folder, 'link'));
    createDirectoryTree(join(folder, 'link', 'inside'));
    assert.ok(statSync(join(folder, 'real', 'inside')).isDirectory());
  });
});

test('createDirectoryTree refuses, naming the level, a path through a file or a dangling symlink', () => {
  inTemporaryFolder((folder) => {
    writeFileSync(join(folder, 'file'), '');
    assert.throws(() => createDirectoryTree(join(folder, 'file', 'run')), (error: unknown) => {
      assert.ok(error instanceof DirectoryTreeError);
      assert.equal(error.code, 'ENOTDIR');
      assert.match(error.message, new RegExp(`a part of ${join(folder, 'file')} is not a directory`));
      return true;
    });
    assert.throws(() => createDirectoryTree(join(folder, 'file')), /exists and is not a directory/);
    // Node's recursive mkdir loops forever here: ENOENT for the child, EEXIST for the parent.
    symlinkSync(join(folder, 'nowhere'), join(folder, 'dangling'));
    assert.throws(() => createDirectoryTree(join(folder, 'dangling', 'run')), (error: unknown) => {
      assert.ok(error instanceof DirectoryTreeError);
      assert.equal(error.directory, join(folder, 'dangling'));
      assert.match(error.message, /exists and is not a directory \(or is a dangling symlink\)/);
      return true;
    });
  });
});

test('createDirectoryTreeAsync does the same without blocking: creates, accepts, refuses naming the level', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'poolhost-directory-tree-'));
  try {
    await createDirectoryTreeAsync(join(folder, 'a', 'b'), 0o700);
    assert.equal(statSync(join(folder, 'a', 'b')).mode & 0o777, 0o700);
    await createDirectoryTreeAsync(join(folder, 'a', 'b'));
    symlinkSync(join(folder, 'nowhere'), join(folder, 'dangling'));
    await assert.rejects(createDirectoryTreeAsync(join(folder, 'dangling', 'logs')), /dangling symlink/);
    // Under /proc Node's fs.promises.mkdir never settles (and spins a libuv thread); this one refuses.
    await assert.rejects(createDirectoryTreeAsync(`/proc/poolhost-test-${process.pid}/logs`), (error: unknown) => {
      assert.ok(error instanceof DirectoryTreeError);
      assert.equal(error.code, 'ENOENT');
      assert.equal(error.directory, `/proc/poolhost-test-${process.pid}`);
      return true;
    });
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});
