// An advisory lock around a configuration edit (read, modify, write): `<file>.lock`, created
// exclusively and holding the owner's pid and host name. Editors that take it one after the other never
// lose each other's changes. A lock whose owner is gone (killed mid-edit) is stale and is taken over.
// The lock lives beside the file, so on a shared configuration folder appcmd on two hosts serializes
// too; a pid means nothing on another host, so another host's lock is stale only when it is older than
// any edit takes (FOREIGN_LOCK_STALE_MS).
import { openSync, closeSync, writeSync, readFileSync, unlinkSync, renameSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { isProcessAlive } from '@poolhost/common';

export class ConfigLockTimeoutError extends Error {
  constructor(readonly file: string, readonly ownerPid: number | null, readonly ownerHost?: string) {
    super(`${file} is being edited by another process${ownerPid ? ` (pid ${ownerPid}${ownerHost && ownerHost !== hostname() ? ` on ${ownerHost}` : ''})` : ''}; try again`);
  }
}

export interface ConfigLock {
  release(): void;
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4));
const sleep = (ms: number): void => void Atomics.wait(sleepCell, 0, 0, ms);

/** An edit holds the lock for milliseconds; a lock from another host this old was left by a crash. */
export const FOREIGN_LOCK_STALE_MS = 60_000;

/** `pid@host` (older locks hold the pid alone: this host's). */
const ownerText = (): string => `${process.pid}@${hostname()}`;

function ownerOf(lockFile: string): { pid: number; host: string } | null {
  try {
    const [pidText, host] = readFileSync(lockFile, 'latin1').trim().split('@');
    const pid = Number(pidText);
    return Number.isInteger(pid) && pid > 0 ? { pid, host: host ?? hostname() } : null;
  } catch {
    return null;
  }
}

const sameOwner = (a: { pid: number; host: string } | null, b: { pid: number; host: string } | null): boolean => a !== null && b !== null && a.pid === b.pid && a.host === b.host;

function isStale(lockFile: string, owner: { pid: number; host: string }): boolean {
  if (owner.host === hostname()) return !isProcessAlive(owner.pid);
  try {
    return Date.now() - statSync(lockFile).mtimeMs > FOREIGN_LOCK_STALE_MS;
  } catch {
    return false;
  }
}

/**
 * Takes the lock of `file`, waiting while other editors hold it. It gives up only when one owner has
 * held the lock for `timeoutMs`: a queue of editors that keeps passing the lock on is progress, however
 * long it is (sixteen appcmd processes on a loaded machine take longer than one edit's limit).
 */
export function lockConfigFile(file: string, timeoutMs = 10_000): ConfigLock {
  const lockFile = `${file}.lock`;
  let deadline = Date.now() + timeoutMs;
  let heldBy: { pid: number; host: string } | null = null;
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(lockFile, 'wx', 0o600);
      try {
        writeSync(fd, ownerText());
      } finally {
        closeSync(fd);
      }
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          if (sameOwner(ownerOf(lockFile), { pid: process.pid, host: hostname() })) unlinkSync(lockFile);
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = ownerOf(lockFile);
    if (owner !== null && isStale(lockFile, owner)) {
      // Stale: move it aside atomically so two waiters cannot both remove a fresh lock.
      const aside = `${lockFile}.${process.pid}.stale`;
      try {
        renameSync(lockFile, aside);
        if (sameOwner(ownerOf(aside), owner)) unlinkSync(aside);
        else renameSync(aside, lockFile);
      } catch {
        // someone else took it over first
      }
      continue;
    }
    if (owner !== null && !sameOwner(owner, heldBy)) {
      // Another editor took the lock since we last looked: the one before it finished.
      heldBy = owner;
      deadline = Date.now() + timeoutMs;
    }
    if (Date.now() >= deadline) throw new ConfigLockTimeoutError(file, owner?.pid ?? null, owner?.host);
    sleep(Math.min(5 + attempt * 5, 50));
  }
}
