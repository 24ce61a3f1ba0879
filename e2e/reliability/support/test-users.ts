// Linux users the isolation tests create (as root) and remove afterwards.
import { execFileSync, spawnSync } from 'node:child_process';

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
