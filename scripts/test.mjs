// Runs every test file (packages/*/test and e2e/) with Node's test runner through tsx, in two stages:
//   1. every file not named *.serial.test.ts, POOLHOST_TEST_CONCURRENCY (default 4) files at a time;
//   2. the *.serial.test.ts files — those that load the machine on purpose (floods, slowloris, 10,000
//      connections, recycle storms) — one at a time, so they neither disturb nor are disturbed.
// The log closes with one line of totals over both stages.
// Usage: node scripts/test.mjs [path-substring ...]
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const filters = process.argv.slice(2);

function collect(dir, out) {
  let names;
  try { names = readdirSync(dir); } catch { return out; }
  for (const name of names) {
    if (name === 'node_modules' || name === 'dist' || name === 'fixtures') continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) collect(full, out);
    else if (name.endsWith('.test.ts')) out.push(full);
  }
  return out;
}

const files = [];
for (const pkg of readdirSync(join(root, 'packages'))) collect(join(root, 'packages', pkg, 'test'), files);
collect(join(root, 'e2e'), files);
const selected = files
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (selected.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}

const isSerial = (file) => file.endsWith('.serial.test.ts');
const stages = [
  { name: 'parallel', files: selected.filter((file) => !isSerial(file)), concurrency: process.env.POOLHOST_TEST_CONCURRENCY ?? '4' },
  { name: 'serial', files: selected.filter(isSerial), concurrency: '1' },
].filter((stage) => stage.files.length > 0);

const countsDirectory = mkdtempSync(join(tmpdir(), 'poolhost-test-counts-'));
const reporter = process.stdout.isTTY ? 'spec' : 'tap';

function runStage(stage) {
  const countsFile = join(countsDirectory, `${stage.name}.json`);
  console.log(`\n# stage ${stage.name}: ${stage.files.length} files, ${stage.concurrency} at a time\n`);
  const args = [
    '--import', 'tsx', '--test', `--test-concurrency=${stage.concurrency}`,
    // A file whose tests are over must not hold the run hostage with a handle it left open (a listening
    // socket after a failed assertion), nor a test that hangs: it fails at 10 minutes instead.
    '--test-force-exit', '--test-timeout=600000',
    `--test-reporter=${reporter}`, '--test-reporter-destination=stdout',
    `--test-reporter=${join(root, 'scripts', 'test-count-reporter.mjs')}`, `--test-reporter-destination=${countsFile}`,
    ...stage.files,
  ];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit' });
    child.on('exit', (code, signal) => {
      let counts = { passed: 0, failed: 0, skipped: 0, failedTests: [] };
      try { counts = JSON.parse(readFileSync(countsFile, 'utf8')); } catch { /* the runner died before reporting */ }
      resolve({ ...counts, code: code ?? (signal ? 1 : 0) });
    });
  });
}

const results = [];
for (const stage of stages) results.push(await runStage(stage));
rmSync(countsDirectory, { recursive: true, force: true });

const total = results.reduce((sum, result) => ({
  passed: sum.passed + result.passed,
  failed: sum.failed + result.failed,
  skipped: sum.skipped + result.skipped,
  failedTests: [...sum.failedTests, ...result.failedTests],
}), { passed: 0, failed: 0, skipped: 0, failedTests: [] });
const runnerFailed = results.some((result) => result.code !== 0);
if (total.failedTests.length > 0) console.log(`\nfailed:\n${total.failedTests.map((name) => `  ${name}`).join('\n')}`);
if (runnerFailed && total.failed === 0) console.log('\na test runner exited non-zero without a failed test (a file that did not load?)');
console.log(`\n${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(runnerFailed || total.failed > 0 ? 1 : 0);
