// w3svc's own start, as poolhost spawns it: what it says and how it exits when it cannot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { executablePath } from '@poolhost/protocol';

// Node's recursive mkdir never returns under /proc (packages/common/src/file-system/directory-tree.ts): w3svc spun
// at 100 % CPU, said nothing and ignored SIGTERM.
test('a w3svc whose run directory cannot be created under /proc exits 1, naming the path, why, and the fix', async () => {
  const runDirectory = `/proc/poolhost-test-${process.pid}/run`;
  const child = spawn(process.execPath, [executablePath('w3svc'), '--run-dir', runDirectory], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // Generous: a loaded machine is slow, but a w3svc that never exits must fail the test, not hang it.
  let stillRunning = false;
  const deadline = setTimeout(() => {
    stillRunning = true;
    child.kill('SIGKILL');
  }, 60_000);
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  clearTimeout(deadline);
  assert.equal(stillRunning, false, `w3svc was still running after 60 s; it said: ${output}`);
  assert.equal(code, 1);
  assert.match(output, new RegExp(`w3svc could not start: run directory ${runDirectory} cannot be created: /proc does not accept a new directory /proc/poolhost-test-${process.pid} \\(ENOENT[^)]*\\); choose another with --run-dir or POOLHOST_RUN_DIR`));
});
