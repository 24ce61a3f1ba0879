// An advisory lock around a configuration edit (read, modify, write): `<file>.lock`, created
// exclusively and holding the owner's pid. Editors that take it one after the other never lose each
// other's changes. A lock whose owner is gone (killed mid-edit) is stale and is taken over.
import { openSync, closeSync, writeSync, readFileSync, unlinkSync, renameSync } from 'node:fs';

export class ConfigLockTimeoutError extends Error {
  constructor(readonly file: string, readonly ownerPid: number | null) {
    super(`${file} is being edited by another process${ownerPid ? ` (pid ${ownerPid})` : ''}; try again`);
  }
}

export interface ConfigLock {
  release(): void;
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4));
const sleep = (ms: number): void => void Atomics.wait(sleepCell, 0, 0, ms);

function ownerOf(lockFile: string): number | null {
  try {
    const pid = Number(readFileSync(lockFile, 'latin1').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock of `file`, waiting up to `timeoutMs` for another editor to finish. */
export function lockConfigFile(file: string, timeoutMs = 10_000): ConfigLock {
  const lockFile = `${file}.lock`;
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(lockFile, 'wx', 0o600);
      try {
        writeSync(fd, String(process.pid));
      } finally {
        closeSync(fd);
      }
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          if (ownerOf(lockFile) === process.pid) unlinkSync(lockFile);
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = ownerOf(lockFile);
    if (owner !== null && !alive(owner)) {
      // Stale: move it aside atomically so two waiters cannot both remove a fresh lock.
      const aside = `${lockFile}.${process.pid}.stale`;
      try {
        renameSync(lockFile, aside);
        if (ownerOf(aside) === owner) unlinkSync(aside);
        else renameSync(aside, lockFile);
      } catch {
        // someone else took it over first
      }
      continue;
    }
    if (Date.now() >= deadline) throw new ConfigLockTimeoutError(file, owner);
    sleep(Math.min(5 + attempt * 5, 50));
  }
}
