// Linux users the isolation tests create (as root) and remove afterwards.
import { execFileSync, spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const isRoot = process.getuid?.() === 0;

export interface TestUser {
  name: string;
  uid: number;
  gid: number;
}

/** Creates a system user without a home; returns a remover. Reuses one left by an interrupted run. */
export function createTestUser(name: string): TestUser {
  if (spawnSync('id', ['-u', name]).status !== 0) execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', name]);
  const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
  return { name, uid, gid };
}

export function removeTestUser(name: string): void {
  spawnSync('userdel', [name]);
}

/** Runs `node -e <script>` as another user (setpriv: that uid/gid, no supplementary groups). */
export function runNodeAs(user: TestUser, script: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('setpriv', [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', process.execPath, '-e', script], { encoding: 'utf8', timeout: 10_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * Why a pool running as another Linux user could not start here, or null: its w3wp is this checkout's
 * packages/worker/dist/w3wp.js, which that user must reach (every folder above it searchable by others).
 * A checkout in a private folder (`mktemp -d` makes it 0700) cannot host SpecificUser pools at all.
 */
export function checkoutUnreachableByOthers(): string | null {
  let folder = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if ((statSync(folder).mode & 0o001) === 0) return `${folder} is not searchable by other users, so a SpecificUser worker cannot run this checkout's w3wp.js`;
    const parent = dirname(folder);
    if (parent === folder) return null;
    folder = parent;
  }
}
