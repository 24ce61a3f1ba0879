// Runs the bundled appcmd as a user would: a real process, argv words, optional stdin, exit code.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repositoryRoot } from '../support/poolhost-instance.js';
import { childExit } from '../support/child-exit.js';

export const appcmdBin = join(repositoryRoot, 'packages', 'appcmd', 'dist', 'appcmd.js');

export interface AppcmdResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export function appcmd(args: string[], options: { env?: Record<string, string>; stdin?: string; cwd?: string } = {}): Promise<AppcmdResult> {
  const started = Date.now();
  const child = spawn(process.execPath, [appcmdBin, ...args], {
    cwd: options.cwd ?? process.cwd(),
    env: { ...process.env, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdin.end(options.stdin ?? '');
  return childExit(child).then(({ code }) => ({ code, stdout, stderr, ms: Date.now() - started }));
}
