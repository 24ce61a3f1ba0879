// A w3wp's own start, alone: spawn → ATTACH, A/B between built trees (docs/performance.md, "w3wp's own
// start, loader → ATTACH"). demand-start-wall.ts times the whole demand start, where httpsys, w3svc and
// was move the numbers by as much as a w3wp change does; this spawns `node dist/w3wp.js -ap Bench -h
// <pool>.config` as was does — fd 3 a connected Unix socket (its far end stands for httpsys), the control
// socket pair after it, the pool's isolated configuration file, the bench's hello application — and
// times it until the ATTACH frame arrives. The worker is then killed (nothing answers its ATTACH).
//
//   tsx scripts/bench/w3wp-start.ts [--rounds N] [--callgrind K] /path/to/tree …
//
// Each round runs every tree once, rotated. First, per tree, one start kept 2.6 s writes its V8 code
// cache (the worker saves it 2 s after its start; remove dist/*.v8cache in every tree first so each is
// written alike). Printed: the startup marks (POOLHOST_STARTUP_TRACE) in ms from the spawn, the worker's
// main-thread and all-thread CPU at ATTACH (/proc/<pid>/schedstat), medians and the median of the
// per-round differences against the first tree. `--callgrind K` also counts instructions: K starts per
// tree under `valgrind --tool=callgrind`, dumped at ATTACH (callgrind_control); a start takes seconds there.
// Set the environment you want measured (`env -u NODE_EXTRA_CA_CERTS …`).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeApplications } from './applications.js';
import { poolhostConfig } from './servers.js';
import { median } from './statistics.js';

const args = process.argv.slice(2);
let rounds = 30;
let callgrind = 0;
const trees: string[] = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--rounds') rounds = Number(args[++i]);
  else if (args[i] === '--callgrind') callgrind = Number(args[++i]);
  else if (args[i]!.startsWith('-')) throw new Error(`unknown option ${args[i]}; usage: tsx scripts/bench/w3wp-start.ts [--rounds N] [--callgrind K] /path/to/tree …`);
  else trees.push(resolve(args[i]!));
}
if (trees.length === 0) trees.push(join(import.meta.dirname, '..', '..'));

const work = mkdtempSync(join(tmpdir(), 'w3wp-start-'));
const runDirectory = join(work, 'run');
const temp = join(work, 'temp');
mkdirSync(runDirectory);
mkdirSync(temp);
const applications = writeApplications(join(work, 'apps'));
// The pool's isolated configuration, as was writes it for a one-application OnDemand pool.
const poolConfig = join(work, 'Bench.config');
writeFileSync(poolConfig, poolhostConfig(8080, { pools: [{ name: 'Bench' }], applications: [{ path: '/', pool: 'Bench', physicalPath: applications.hello }] }));
const { POOLHOST_CONFIG: _ignored, ...inherited } = process.env;
const trace = join(runDirectory, 'trace');
const environment = {
  ...inherited,
  POOLHOST_LOG_LEVEL: 'warn',
  POOLHOST_RUN_DIR: runDirectory,
  POOLHOST_CONFIG_DIRECTORY: work,
  POOLHOST_WORKER_ID: '1',
  APP_POOL_ID: 'Bench',
  APP_POOL_CONFIG: poolConfig,
  POOLHOST_DATA_FD: '3',
  POOLHOST_CONTROL_FD: '4',
  TEMP: temp,
  TMP: temp,
};
const epochMs = (): number => performance.timeOrigin + performance.now();

interface Start {
  marks: Map<string, number>;
  instructions?: number;
}

/** One start of `tree`'s w3wp until its ATTACH arrives; `keepMs` keeps it running that long afterwards. */
async function start(tree: string, options: { keepMs?: number; callgrind?: boolean } = {}): Promise<Start> {
  const socketPath = join(runDirectory, 'httpsys-data.sock');
  rmSync(socketPath, { force: true });
  let attached!: () => void;
  const attach = new Promise<void>((resolveAttach) => (attached = resolveAttach));
  const httpsys = createServer((socket) => {
    socket.once('data', () => attached());
    socket.on('error', () => undefined);
  });
  await new Promise<void>((listening) => httpsys.listen(socketPath, listening));
  const data: Socket = await new Promise((connected) => {
    const socket = connect(socketPath, () => connected(socket));
  });
  writeFileSync(trace, '');
  const w3wp = [join(tree, 'packages', 'worker', 'dist', 'w3wp.js'), '-ap', 'Bench', '-h', poolConfig];
  const callgrindOut = join(work, 'callgrind.out');
  const [command, commandArgs] = options.callgrind
    ? ['valgrind', ['--tool=callgrind', '--smc-check=all-non-file', '--separate-threads=yes', '--collect-atstart=no', '--toggle-collect=node::NodeMainInstance::Run*', `--callgrind-out-file=${callgrindOut}`, process.execPath, ...w3wp]]
    : [process.execPath, w3wp];
  const spawned = epochMs();
  const child = spawn(command, commandArgs, { env: { ...environment, POOLHOST_STARTUP_TRACE: trace }, stdio: ['ignore', 'ignore', 'pipe', data, 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  data.destroy(); // the child holds its own copy
  const timeout = setTimeout(() => {
    child.kill('SIGKILL');
    console.error(`no ATTACH from ${tree} within 60 s:\n${stderr}`);
    process.exit(1);
  }, 60_000);
  await attach;
  const attachedAt = epochMs() - spawned;
  clearTimeout(timeout);
  const marks = new Map<string, number>();
  if (!options.callgrind) {
    let mainThread = 0;
    let allThreads = 0;
    for (const task of readdirSync(`/proc/${child.pid}/task`)) {
      const ms = Number(readFileSync(`/proc/${child.pid}/task/${task}/schedstat`, 'latin1').split(' ')[0]) / 1e6;
      allThreads += ms;
      if (task === String(child.pid)) mainThread = ms;
    }
    marks.set('~CPU, main thread', mainThread);
    marks.set('~CPU, all threads', allThreads);
  }
  let instructions: number | undefined;
  if (options.callgrind) {
    // The main thread's counts up to ATTACH: callgrind dumps them on request (callgrind_control reaches it through vgdb).
    await new Promise<void>((dumped, failed) => spawn('callgrind_control', ['--dump', String(child.pid)], { stdio: 'ignore' }).once('exit', (code) => (code === 0 ? dumped() : failed(new Error(`callgrind_control exited with ${code}`)))));
    // The main thread's (-01): V8's and libuv's helper threads do a varying share of the work from run to run.
    const dump = readdirSync(work).find((file) => file.startsWith('callgrind.out.') && file.endsWith('-01'));
    instructions = Number(/^(?:summary|totals): (\d+)/m.exec(readFileSync(join(work, dump!), 'latin1'))?.[1]);
    for (const file of readdirSync(work)) if (file.startsWith('callgrind.out')) rmSync(join(work, file));
  }
  if (options.keepMs) await new Promise((wait) => setTimeout(wait, options.keepMs));
  child.kill('SIGKILL');
  await new Promise((exited) => child.once('exit', exited));
  httpsys.close();
  for (const line of readFileSync(trace, 'latin1').split('\n')) {
    const [time, , ...label] = line.split(' ');
    const name = label.join(' ');
    if (name && !marks.has(name)) marks.set(name, Number(time) - spawned);
  }
  marks.set('~ATTACH received', attachedAt);
  if (marks.has('w3wp loader') && marks.has('w3wp ATTACH')) marks.set('~loader → ATTACH', marks.get('w3wp ATTACH')! - marks.get('w3wp loader')!);
  return { marks, ...(instructions !== undefined ? { instructions } : {}) };
}

try {
  for (const tree of trees) await start(tree, { keepMs: 2_600 }); // writes the code cache
  const starts = new Map<string, Start[]>(trees.map((tree) => [tree, []]));
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < trees.length; k++) {
      const tree = trees[(k + round) % trees.length]!;
      await new Promise((wait) => setTimeout(wait, 50));
      starts.get(tree)!.push(await start(tree));
    }
  }
  console.log(`${rounds} rounds, load average ${readFileSync('/proc/loadavg', 'latin1').split(' ').slice(0, 3).join(' ')}; ms from the spawn, medians`);
  trees.forEach((tree, index) => console.log(`tree ${index + 1}: ${tree}`));
  const first = starts.get(trees[0]!)!;
  const labels = [...new Set(first.flatMap((one) => [...one.marks.keys()]))];
  const rows = labels.map((label) => ({ label, medians: trees.map((tree) => median(starts.get(tree)!.flatMap((one) => (one.marks.has(label) ? [one.marks.get(label)!] : [])))) }));
  console.log(`${'mark'.padEnd(28)}${trees.map((_, index) => `tree ${index + 1}`.padStart(10)).join('')}${trees.slice(1).map((_, index) => `paired ${index + 2}−1`.padStart(13)).join('')}`);
  for (const row of rows.sort((a, b) => a.medians[0]! - b.medians[0]!)) {
    const paired = trees.slice(1).map((tree) => median(starts.get(tree)!.flatMap((one, round) => (one.marks.has(row.label) && first[round]!.marks.has(row.label) ? [one.marks.get(row.label)! - first[round]!.marks.get(row.label)!] : []))));
    console.log(`${row.label.padEnd(28)}${row.medians.map((value) => value.toFixed(1).padStart(10)).join('')}${paired.map((value) => value.toFixed(1).padStart(13)).join('')}`);
  }
  if (callgrind > 0) {
    for (let run = 0; run < callgrind; run++) {
      const counts = [];
      for (const tree of trees) counts.push(((await start(tree, { callgrind: true })).instructions! / 1e6).toFixed(1));
      console.log(`instructions to ATTACH (callgrind, M), run ${run + 1}: ${counts.map((count, index) => `tree ${index + 1} ${count}`).join(', ')}`);
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
