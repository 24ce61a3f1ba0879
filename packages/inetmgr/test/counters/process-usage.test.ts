// Workers' CPU and memory from /proc/<pid>/stat: the fields, the CPU % between readings, the
// auxiliary vector's clock tick and page size, and a real process read from the real /proc.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { ProcessUsageReader, auxiliaryValues, parseProcStat } from '../../src/counters/process-usage.js';

/** A /proc/<pid>/stat line with the given utime, stime, starttime (ticks) and rss (pages); the name holds ') (' as a hostile comm may. */
function statLine(pid: number, utime: number, stime: number, start: number, rss: number): string {
  const fields = ['S', '1', String(pid), String(pid), '0', '-1', '4194560', '100', '0', '0', '0', String(utime), String(stime), '0', '0', '20', '0', '1', '0', String(start), '1000000', String(rss)];
  return `${pid} (w3wp ) (x) ${fields.join(' ')} 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n`;
}

test('parseProcStat reads utime + stime, starttime and rss past a command name with parentheses and spaces', () => {
  assert.deepEqual(parseProcStat(statLine(42, 150, 50, 9_000, 2_560)), { cpuTicks: 200, startTicks: 9_000, rssPages: 2_560 });
  assert.equal(parseProcStat('garbage'), null);
});

test('the auxiliary vector gives AT_CLKTCK and AT_PAGESZ; without it, 100 and 4096', () => {
  const words = [33n, 7n, 6n, 16_384n, 17n, 250n, 0n, 0n];
  const auxv64 = Buffer.alloc(words.length * 8);
  words.forEach((word, index) => auxv64.writeBigUInt64LE(word, index * 8));
  assert.deepEqual(auxiliaryValues(auxv64, 8), { clockTicks: 250, pageSize: 16_384 });
  const auxv32 = Buffer.alloc(words.length * 4);
  words.forEach((word, index) => auxv32.writeUInt32LE(Number(word), index * 4));
  assert.deepEqual(auxiliaryValues(auxv32, 4), { clockTicks: 250, pageSize: 16_384 });
  assert.deepEqual(auxiliaryValues(null, 8), { clockTicks: 100, pageSize: 4096 });
});

test('CPU % is since the process started on the first reading, then since the previous one; a gone process is left out and forgotten', () => {
  const stats = new Map<number, string>();
  let now = 0;
  const reader = new ProcessUsageReader(
    (pid) => stats.get(pid) ?? null,
    () => 100, // seconds since boot
    () => now,
    { clockTicks: 100, pageSize: 4096 },
  );
  // Started 50 s after boot (50 s ago), 10 s of CPU: 20 % on average.
  stats.set(7, statLine(7, 800, 200, 5_000, 1_000));
  stats.set(8, statLine(8, 0, 0, 9_900, 10));
  const first = reader.read([7, 8, 9]);
  assert.equal(first.has(9), false);
  assert.deepEqual(first.get(7), { cpuPercent: 20, memoryBytes: 1_000 * 4096 });
  assert.deepEqual(first.get(8), { cpuPercent: 0, memoryBytes: 10 * 4096 });
  // One second later, half a second more CPU: 50 %. Process 8 has exited.
  now += 1_000;
  stats.set(7, statLine(7, 850, 200, 5_000, 1_200));
  stats.delete(8);
  const second = reader.read([7, 8]);
  assert.deepEqual(second.get(7), { cpuPercent: 50, memoryBytes: 1_200 * 4096 });
  assert.equal(second.has(8), false);
  // A process that comes back under the same PID starts from its own start time again.
  stats.set(8, statLine(8, 100, 0, 9_800, 10));
  assert.equal(reader.read([7, 8]).get(8)!.cpuPercent, 50);
});

test('a real process: its resident memory and CPU read from /proc', { skip: process.platform !== 'linux' }, async () => {
  // It spins for 300 ms of its own CPU time and says so: read once it has (a 500 ms pause may see a child
  // that a loaded machine has barely scheduled, with no CPU tick yet).
  const child = spawn(process.execPath, ['-e', "const start = process.cpuUsage(); while (process.cpuUsage(start).user < 300_000); process.stdout.write('spun\\n'); setTimeout(() => {}, 10_000)"], { stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    const reader = new ProcessUsageReader();
    await new Promise<void>((resolve, reject) => {
      let said = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        said += chunk.toString();
        if (said.includes('spun')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`the child exited with ${code}`)));
    });
    const usage = reader.read([child.pid!]).get(child.pid!);
    assert.ok(usage, 'the child is read');
    assert.ok(usage.memoryBytes > 10 * 1024 * 1024, `a node process has more than 10 MB resident (${usage.memoryBytes})`);
    assert.ok(usage.cpuPercent > 0, `it spun for 300 ms (${usage.cpuPercent} %)`);
  } finally {
    child.kill('SIGKILL');
  }
});
