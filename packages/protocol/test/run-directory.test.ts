import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, chmodSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultRunDirectory, ensureRunDirectory, readAdministrationToken, resolveRunDirectory, socketPath } from '../src/index.js';

test('the run directory comes from --run-dir, then POOLHOST_RUN_DIR, then XDG_RUNTIME_DIR, then /tmp', () => {
  assert.equal(resolveRunDirectory('/a/b', { POOLHOST_RUN_DIR: '/c' }), '/a/b');
  assert.equal(resolveRunDirectory(undefined, { POOLHOST_RUN_DIR: '/c' }), '/c');
  assert.equal(defaultRunDirectory({ XDG_RUNTIME_DIR: '/run/user/1000' }), '/run/user/1000/poolhost');
  assert.match(defaultRunDirectory({}), /^\/tmp\/poolhost-\d+$/);
  assert.equal(socketPath('/r', 'was'), '/r/was.sock');
});

test('ensureRunDirectory creates the folder 0700 and tightens a looser existing one', () => {
  const parent = mkdtempSync(join(tmpdir(), 'poolhost-run-'));
  try {
    const directory = join(parent, 'run');
    ensureRunDirectory(directory);
    assert.equal(statSync(directory).mode & 0o777, 0o700);
    chmodSync(directory, 0o755);
    ensureRunDirectory(directory);
    assert.equal(statSync(directory).mode & 0o777, 0o700);
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});

test('a run directory too long for its Unix sockets is refused before anything is created, naming the limit and the fix', () => {
  const parent = mkdtempSync(join(tmpdir(), 'poolhost-run-'));
  try {
    const directory = join(parent, 'x'.repeat(60), 'run');
    assert.throws(() => ensureRunDirectory(directory), /run directory .* is \d+ bytes long: its sockets .*httpsys-data\.sock.* would pass Linux's 107-byte limit .* at most 74 bytes with --run-dir or POOLHOST_RUN_DIR/);
    assert.throws(() => statSync(directory), /ENOENT/);
    ensureRunDirectory(join(parent, 'run')); // a short one is fine
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});

test('a run directory that cannot be created is refused naming it, why, and the fix (never a spin: Node loops under /proc)', () => {
  const parent = mkdtempSync(join(tmpdir(), 'poolhost-run-'));
  try {
    assert.throws(() => ensureRunDirectory(`/proc/poolhost-test-${process.pid}/run`), /^Error: run directory \/proc\/poolhost-test-\d+\/run cannot be created: \/proc does not accept a new directory .*; choose another with --run-dir or POOLHOST_RUN_DIR$/);
    writeFileSync(join(parent, 'file'), '');
    assert.throws(() => ensureRunDirectory(join(parent, 'file', 'run')), /cannot be created: a part of .*\/file is not a directory \(ENOTDIR\)/);
    assert.throws(() => readAdministrationToken(parent), /administration token .*administration\.token cannot be read \(ENOENT\): `poolhost start --metrics` writes it/);
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});
