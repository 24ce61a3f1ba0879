// `pnpm bench [--quick] [--only hello,garden] [--rounds N] [--seconds S] [--connections C] [--json file]`
// poolhost side by side with plain Node, Node cluster, nginx → Node and PM2; see docs/performance.md.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeApplications } from './applications.js';
import type { BenchContext } from './context.js';
import { ensureDebianPackage } from './load-generator.js';
import { Report } from './report.js';
import { scenarios } from './scenarios.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    rounds: { type: 'string' },
    seconds: { type: 'string' },
    connections: { type: 'string', default: '50' },
    json: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});

const quick = values.quick!;
const selected = values.only ? values.only.split(',') : Object.keys(scenarios);
for (const name of selected) if (!scenarios[name]) throw new Error(`unknown scenario ${name}; known: ${Object.keys(scenarios).join(', ')}`);

ensureDebianPackage('wrk', 'wrk');
ensureDebianPackage('nginx', 'nginx');
// 10,000 idle connections need more descriptors than the usual 1024 (this process, and the servers it starts, inherit it).
try {
  const hard = execFileSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim();
  const limit = hard === 'unlimited' ? '1048576' : hard;
  execFileSync('prlimit', ['--pid', String(process.pid), `--nofile=${limit}:${limit}`], { stdio: 'ignore' });
  if (Number(limit) < 20_500) console.warn(`open-file limit ${limit}: enough for 10,000 idle connections, no more`);
} catch {
  console.warn('could not raise the open-file limit (prlimit); the idle-connections scenario may fail');
}

const work = mkdtempSync(join(tmpdir(), 'poolhost-bench-'));
const report = new Report();
const context: BenchContext = {
  work,
  applications: writeApplications(work),
  quick,
  rounds: Number(values.rounds ?? (quick ? 1 : 5)),
  seconds: Number(values.seconds ?? (quick ? 1 : 5)),
  warmupSeconds: quick ? 1 : 2,
  connections: Number(values.connections),
  report,
};

const machine = `${cpus().length}× ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, load average ${loadavg().map((v) => v.toFixed(2)).join(' ')}`;
console.log(`poolhost bench${quick ? ' --quick' : ''}: ${context.rounds} round(s) of ${context.seconds} s, ${context.connections} connections; ${machine}`);
const started = Date.now();
let failed = false;
try {
  for (const name of selected) {
    try {
      await scenarios[name]!(context);
    } catch (error) {
      failed = true;
      console.error(`scenario ${name} failed:`, error);
    }
  }
} finally {
  if (!values.keep) rmSync(work, { recursive: true, force: true });
}
console.log(`\n${report.markdown()}\n`);
console.log(`${((Date.now() - started) / 1000).toFixed(0)} s; load average at the end ${loadavg().map((v) => v.toFixed(2)).join(' ')}`);
if (values.json) writeFileSync(values.json, JSON.stringify({ machine, quick, rounds: context.rounds, seconds: context.seconds, rows: report.rows, targets: report.targets }, null, 2));
// A failed scenario fails the run (CI keeps the scripts working); a missed target does not. Exit
// explicitly: every server the scenarios started is stopped by now, and a client handle left behind by
// one of them (seen once in CI: the report printed, the process alive) must not hang the run.
process.exit(failed ? 1 : 0);
