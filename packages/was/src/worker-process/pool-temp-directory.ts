// Each pool's private temp folder (IIS: %SystemDrive%\inetpub\temp\appPools\<pool>), exported to its
// workers as TMPDIR, TEMP and TMP: `<run dir>-temp/apppools/<pool>`, mode 0700, owned by the pool's
// identity. It lives beside the run directory, not in it, because the run directory is 0700 for the
// user poolhost runs as and a pool running as another user could not reach into it; the two folders
// above are 0711, so nobody can list them.
import { chmodSync, chownSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkerIdentity } from './worker-identity.js';
import { createDirectoryTree } from '@poolhost/common';

/** A pool name as a single, harmless path segment. */
export function poolFolderName(applicationPool: string): string {
  const name = applicationPool.replace(/[^A-Za-z0-9._ -]/g, '_');
  return name === '' || name === '.' || name === '..' ? `_${name}` : name;
}

export function poolTempDirectory(runDirectory: string, applicationPool: string): string {
  return join(`${runDirectory}-temp`, 'apppools', poolFolderName(applicationPool));
}

/** The pool's temp folder, and every folder ensurePoolTempDirectory made sure of on the way (its parents first, then it). */
export interface PoolTempDirectory {
  directory: string;
  ensured: readonly string[];
}

export function ensurePoolTempDirectory(runDirectory: string, applicationPool: string, identity: WorkerIdentity | undefined): PoolTempDirectory {
  const base = `${runDirectory}-temp`;
  const pools = join(base, 'apppools');
  const directory = poolTempDirectory(runDirectory, applicationPool);
  for (const folder of [base, pools]) {
    createDirectoryTree(folder, 0o711);
    chmodSync(folder, 0o711);
  }
  createDirectoryTree(directory, 0o700);
  if (identity) chownSync(directory, identity.uid, identity.gid);
  chmodSync(directory, 0o700);
  return { directory, ensured: [base, pools, directory] };
}
