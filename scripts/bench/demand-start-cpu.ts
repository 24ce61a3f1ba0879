// CPU of a demand start without a spare worker, A/B between built trees (docs/performance.md, "Demand
// start without a spare: where the CPU goes"). Wall-clock times on a shared machine say little; CPU does.
//
//   tsx scripts/bench/demand-start-cpu.ts [--rounds N] LABEL=/path/to/tree[,VAR=value…] LABEL=/path/to/tree …
//
// Each tree must be built (`node scripts/build.mjs` in it). A round runs, one after another: the floor
// (spawn `node` with the hello app, poll until it answers: the CPU of that process), then for every tree
// a fresh `poolhost start` with one OnDemand pool and no spare, 300 ms of rest, one request, and the CPU
// that httpsys, w3svc and was spent from the request to its answer plus the whole of the new w3wp (all
// from /proc/<pid>/task/*/schedstat, nanoseconds on the CPU, every live thread). The trees' order
// rotates from round to round; one uncounted start per tree comes first (it writes w3wp's code cache). Medians per tree, and the ratio to the floor's median.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { scriptOf, writeApplications } from './applications.js';
import { processTree } from './process-stats.js';
import { median } from './statistics.js';
import { endTree, freePort, get, poolhostConfig, sleep, tcpAccepts, waitUntil } from './servers.js';

interface Trial {
  label: string;
  tree: string;
  /** Variables set for this tree's poolhost only (`LABEL=/tree,VAR=value,…`), e.g. POOLHOST_DEBUG_NODE_FLAGS_W3WP. */
  env: Record<string, string>;
}

const args = process.argv.slice(2);
let rounds = 6;
const trials: Trial[] = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--rounds') rounds = Number(args[++i]);
  else {
    const at = args[i]!.indexOf('=');
    if (at < 1) throw new Error(`expected LABEL=/path/to/tree, got ${args[i]}`);
    const [tree, ...variables] = args[i]!.slice(at + 1).split(',');
    const env = Object.fromEntries(variables.map((variable) => [variable.slice(0, variable.indexOf('=')), variable.slice(variable.indexOf('=') + 1)]));
    trials.push({ label: args[i]!.slice(0, at), tree: resolve(tree!), env }); // each poolhost runs in its own folder
  }
}
if (trials.length === 0) trials.push({ label: 'this tree', tree: join(import.meta.dirname, '..', '..'), env: {} });

/** Nanoseconds on the CPU of every live thread of the process. */
function cpuNs(pid: number): number {
  let total = 0;
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return Number.NaN;
  }
  for (const task of tasks) {
    try {
      total += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'latin1').split(' ')[0]);
    } catch {
      // a thread that ended meanwhile
    }
  }
  return total;
}

const work = mkdtempSync(join(tmpdir(), 'demand-start-cpu-'));
const applications = writeApplications(join(work, 'apps'));
const hello = scriptOf(applications, 'hello');

async function floorCpuMs(): Promise<number> {
  const port = await freePort();
  const child = spawn(process.execPath, [hello], { env: { ...process.env, PORT: String(port) }, stdio: 'ignore' });
  try {
    await waitUntil('node to answer', async () => (await get(port, '/')).status === 200, 20_000, 1);
    return cpuNs(child.pid!) / 1e6;
  } finally {
    await endTree([child.pid!]);
  }
}

interface DemandStart {
  total: number;
  httpsys: number;
  w3svc: number;
  was: number;
  w3wp: number;
}

async function demandStartCpu(trial: Trial, folder: string): Promise<DemandStart> {
  const port = await freePort();
  mkdirSync(folder, { recursive: true });
  const configFile = join(folder, 'applicationHost.config');
  writeFileSync(configFile, poolhostConfig(port, { pools: [{ name: 'Bench' }], applications: [{ path: '/', pool: 'Bench', physicalPath: applications.hello }] }));
  const bin = join(trial.tree, 'packages', 'poolhost', 'dist', 'poolhost.js');
  const child = spawn(process.execPath, [bin, 'start', '--config', configFile, '--run-dir', join(folder, 'run')], {
    env: { ...process.env, POOLHOST_LOG_LEVEL: 'warn', ...trial.env },
    cwd: folder,
    stdio: 'ignore',
  });
  try {
    await waitUntil(`poolhost (${trial.label}) to accept`, () => tcpAccepts(port), 60_000);
    await sleep(300);
    const services = new Map<string, number>();
    for (const entry of processTree([child.pid!])) if (['httpsys', 'w3svc', 'was'].includes(entry.name)) services.set(entry.name, entry.pid);
    if (services.size !== 3) throw new Error(`services not found: ${[...services.keys()].join(', ')}`);
    const before = new Map([...services].map(([name, pid]) => [name, cpuNs(pid)]));
    const answer = await get(port, '/', 30_000);
    if (answer.status !== 200) throw new Error(`status ${answer.status}`);
    const after = new Map([...services].map(([name, pid]) => [name, cpuNs(pid)]));
    const workers = processTree([child.pid!]).filter((entry) => entry.name === 'w3wp');
    if (workers.length !== 1) throw new Error(`${workers.length} w3wp processes`);
    const delta = (name: string) => (after.get(name)! - before.get(name)!) / 1e6;
    const result = { httpsys: delta('httpsys'), w3svc: delta('w3svc'), was: delta('was'), w3wp: cpuNs(workers[0]!.pid) / 1e6, total: 0 };
    result.total = result.httpsys + result.w3svc + result.was + result.w3wp;
    return result;
  } finally {
    await endTree([child.pid!], 20_000);
  }
}


const floors: number[] = [];
const results = new Map<string, DemandStart[]>(trials.map((trial) => [trial.label, []]));
try {
  // One start per tree first, not counted: a fresh build has no V8 code cache for w3wp and the services yet (the first
  // worker writes w3wp's; the services write theirs when that start's poolhost stops cleanly).
  for (const trial of trials) await demandStartCpu(trial, join(work, `warm-${trial.label}`));
  for (let round = 0; round < rounds; round++) {
    floors.push(await floorCpuMs());
    // Rotated each round, so every tree runs in every position (first after the floor, …) equally often.
    const order = trials.map((_, index) => trials[(index + round) % trials.length]!);
    const line: string[] = [`round ${round + 1}: floor ${floors.at(-1)!.toFixed(1)}`];
    for (const trial of order) {
      await sleep(200); // the previous poolhost's processes have exited; let the machine settle after them
      const result = await demandStartCpu(trial, join(work, `${round}-${trial.label}`));
      results.get(trial.label)!.push(result);
      line.push(`${trial.label} ${result.total.toFixed(1)} (w3wp ${result.w3wp.toFixed(1)})`);
    }
    console.log(`${line.join(', ')} ms CPU`);
  }
  const floor = median(floors);
  console.log(`\nmedians of ${rounds} rounds, CPU ms (load average ${readFileSync('/proc/loadavg', 'latin1').split(' ').slice(0, 3).join(' ')})`);
  console.log(`| | CPU ms | httpsys | w3svc | was | w3wp | ÷ floor |\n|---|--:|--:|--:|--:|--:|--:|`);
  console.log(`| floor: \`node app.js\` until it answers | ${floor.toFixed(1)} | | | | | |`);
  for (const trial of trials) {
    const list = results.get(trial.label)!;
    const m = (key: keyof DemandStart) => median(list.map((entry) => entry[key]));
    console.log(`| ${trial.label} | ${m('total').toFixed(1)} | ${m('httpsys').toFixed(1)} | ${m('w3svc').toFixed(1)} | ${m('was').toFixed(1)} | ${m('w3wp').toFixed(1)} | ${(m('total') / floor).toFixed(2)}× |`);
  }
  // Each tree against the first, round by round (both ran seconds apart, under the same load): the median
  // of those differences moves less with the machine's load than the difference of two medians.
  const first = results.get(trials[0]!.label)!;
  for (const trial of trials.slice(1)) {
    const list = results.get(trial.label)!;
    const paired = (key: keyof DemandStart) => median(list.map((entry, round) => entry[key] - first[round]![key]));
    console.log(`${trial.label} − ${trials[0]!.label}, median of the rounds' differences: total ${paired('total').toFixed(1)} ms, w3wp ${paired('w3wp').toFixed(1)} ms, was ${paired('was').toFixed(1)} ms`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
