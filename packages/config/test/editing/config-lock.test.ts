import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ConfigLockTimeoutError, lockConfigFile } from '../../src/index.js';
import { tempDir } from '../helpers/fixtures.js';

function sharedFolder(t: { after(fn: () => void): void }) {
  const folder = tempDir();
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  return { file: join(folder, 'applicationHost.config'), lockFile: join(folder, 'applicationHost.config.lock') };
}

test('the lock beside the file names its owner as pid@host and goes away on release', (t) => {
  const { file, lockFile } = sharedFolder(t);
  const lock = lockConfigFile(file);
  assert.equal(readFileSync(lockFile, 'latin1'), `${process.pid}@${hostname()}`);
  lock.release();
  assert.equal(existsSync(lockFile), false);
});

test("another host's fresh lock is waited for (its pid means nothing here) and named in the error", (t) => {
  const { file, lockFile } = sharedFolder(t);
  // A pid that is surely not alive on this host: still not stale, it belongs to another host.
  writeFileSync(lockFile, '999999@web02.farm');
  assert.throws(() => lockConfigFile(file, 100), (error: unknown) => error instanceof ConfigLockTimeoutError && /pid 999999 on web02\.farm/.test(error.message));
  assert.equal(readFileSync(lockFile, 'latin1'), '999999@web02.farm');
});

test("another host's lock older than any edit is stale and taken over; a dead pid on this host at once", (t) => {
  const { file, lockFile } = sharedFolder(t);
  writeFileSync(lockFile, '999999@web02.farm');
  const old = new Date(Date.now() - 120_000);
  utimesSync(lockFile, old, old);
  lockConfigFile(file, 1_000).release();
  // A pid that just exited: a crashed appcmd of this host.
  const deadPid = spawnSync(process.execPath, ['-e', '']).pid;
  writeFileSync(lockFile, `${deadPid}@${hostname()}`);
  lockConfigFile(file, 1_000).release();
  writeFileSync(lockFile, String(deadPid));
  lockConfigFile(file, 1_000).release();
  assert.equal(existsSync(lockFile), false);
});

test('a waiter gives up only on one owner holding the lock too long, not on a queue that keeps passing it on', async (t) => {
  const { file, lockFile } = sharedFolder(t);
  // Another process hands the lock from editor to editor (each from another host, so none is stale)
  // for 5 s, over twice the waiter's limit, then lets it go. Each owner is written whole, by a rename.
  const queue = spawn(
    process.execPath,
    [
      '-e',
      `const fs = require('node:fs');
       const [lockFile, hold, owners] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3])];
       const pass = (index) => { fs.writeFileSync(lockFile + '.next', index + '@web0' + index + '.farm'); fs.renameSync(lockFile + '.next', lockFile); };
       pass(1);
       process.stdout.write('held\\n');
       let index = 1;
       const timer = setInterval(() => {
         if (++index > owners) { clearInterval(timer); fs.unlinkSync(lockFile); return; }
         pass(index);
       }, hold);`,
      lockFile,
      '100',
      '50',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = once(queue, 'exit');
  await once(queue.stdout!, 'data');
  const started = Date.now();
  const lock = lockConfigFile(file, 2_000);
  const waited = Date.now() - started;
  assert.equal(readFileSync(lockFile, 'latin1'), `${process.pid}@${hostname()}`);
  lock.release();
  await exited;
  // Fifty owners of 100 ms each: the waiter waited past its 2 s limit without giving up (a stall of 2 s
  // in the queue's process would end its wait, as it should).
  assert.ok(waited >= 2_000, `waited ${waited} ms`);
});
