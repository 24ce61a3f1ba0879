// Wall-clock time of a demand start without a spare worker, A/B between built trees (docs/performance.md,
// "Demand start without a spare: the wall-clock path"). The bench's `cold-start` scenario times the same
// thing; this one rotates the trees round by round and prints the median of the per-round differences,
// which moves less with the machine's load than two medians do.
//
//   tsx scripts/bench/demand-start-wall.ts [--rounds N] [--warm] [--floor-marks] [/path/to/tree | LABEL=/path/to/tree[,VAR=value…] …]
//
// Each tree must be built (`node scripts/build.mjs` in it); none given: this tree. `LABEL=/tree,VAR=value,…`
// sets variables for that tree's poolhost only, so one tree can run twice in a round: e.g. the skeleton
// worker (skeleton-worker.cjs) against the real one. `--floor-marks` runs the floor's app with a preload
// (floor-marks.cjs) that marks its process start, first line, listening and request, and prints the
// floor's parts (the preload costs it ≈0.5 ms: read the floor's total from a run without it). A round runs, one after
// another: the floor (spawn `node` with the hello app, poll every ms until it answers), then for every
// tree a fresh `poolhost start` with one OnDemand pool and no spare, 300 ms of rest, one request timed
// from the client. One uncounted round comes first (it writes each tree's V8 code caches: w3wp's, and the
// services' at the clean stop that ends it). `--warm` first demand-starts a second pool of the same
// poolhost, so httpsys, w3svc and was have run the path once (what their cold code costs). Every
// poolhost gets POOLHOST_STARTUP_TRACE=<file>: its processes append `<epoch ms> <pid> <label>` lines there
// at each step of the demand start (@poolhost/common's startup-trace/; a tree from before it writes none),
// printed as medians in ms from the request, and, for each mark two trees share, the median of
// the rounds' differences.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { scriptOf, writeApplications } from './applications.js';
import { median } from './statistics.js';
import { endTree, freePort, get, poolhostConfig, sleep, tcpAccepts, waitUntil } from './servers.js';

const args = process.argv.slice(2);
let rounds = 6;
let warm = false;
let floorMarks = false;
interface Trial {
  /** The argument as given: how the results name this trial. */
  name: string;
  tree: string;
  /** Variables set for this trial's poolhost only. */
  env: Record<string, string>;
}
const trees: Trial[] = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--rounds') rounds = Number(args[++i]);
  else if (args[i] === '--warm') warm = true;
  else if (args[i] === '--floor-marks') floorMarks = true;
  else if (args[i]!.startsWith('-')) throw new Error(`unknown option ${args[i]}; usage: tsx scripts/bench/demand-start-wall.ts [--rounds N] [--warm] [--floor-marks] [/path/to/tree | LABEL=/path/to/tree[,VAR=value…] …]`);
  else {
    const at = args[i]!.indexOf('=');
    const [tree, ...variables] = (at > 0 && !args[i]!.slice(0, at).includes('/') ? args[i]!.slice(at + 1) : args[i]!).split(',');
    const env = Object.fromEntries(variables.map((variable) => [variable.slice(0, variable.indexOf('=')), variable.slice(variable.indexOf('=') + 1)]));
    trees.push({ name: args[i]!, tree: resolve(tree!), env }); // each poolhost runs in its own folder
  }
}
if (trees.length === 0) trees.push({ name: 'this tree', tree: join(import.meta.dirname, '..', '..'), env: {} });

const work = mkdtempSync(join(tmpdir(), 'demand-start-wall-'));
const applications = writeApplications(join(work, 'apps'));
const hello = scriptOf(applications, 'hello');
const epochMs = (): number => performance.timeOrigin + performance.now();

/** The floor's own marks (--floor-marks), ms from its spawn, per round. */
const floorMarkRounds: Array<Map<string, number>> = [];

async function floorMs(): Promise<number> {
  const port = await freePort();
  const trace = join(work, 'floor-trace');
  if (floorMarks) writeFileSync(trace, '');
  const startedEpoch = epochMs();
  const started = performance.now();
  const child = spawn(process.execPath, [...(floorMarks ? ['--require', join(import.meta.dirname, 'floor-marks.cjs')] : []), hello], {
    env: { ...process.env, PORT: String(port), ...(floorMarks ? { POOLHOST_STARTUP_TRACE: trace } : {}) },
    stdio: 'ignore',
  });
  const spawnReturned = epochMs() - startedEpoch;
  try {
    await waitUntil('node to answer', async () => (await get(port, '/')).status === 200, 20_000, 1);
    const total = performance.now() - started;
    if (floorMarks) {
      const marks = new Map<string, number>([['floor spawn returned', spawnReturned]]);
      for (const line of readFileSync(trace, 'latin1').split('\n')) {
        const [time, , ...label] = line.split(' ');
        const name = label.join(' ');
        if (name && !marks.has(name)) marks.set(name, Number(time) - startedEpoch);
      }
      marks.set('floor answer at the client', total);
      floorMarkRounds.push(marks);
    }
    return total;
  } finally {
    await endTree([child.pid!]);
  }
}

interface Start {
  totalMs: number;
  /** First occurrence of each mark, ms from the request. */
  marks: Map<string, number>;
}

async function demandStart({ tree, env }: Trial, folder: string): Promise<Start> {
  const port = await freePort();
  mkdirSync(folder, { recursive: true });
  const trace = join(folder, 'trace');
  const configFile = join(folder, 'applicationHost.config');
  writeFileSync(
    configFile,
    poolhostConfig(port, {
      pools: [{ name: 'Bench' }, { name: 'Other' }],
      applications: [
        { path: '/', pool: 'Bench', physicalPath: applications.hello },
        { path: '/other', pool: 'Other', physicalPath: applications.hello },
      ],
    }),
  );
  const child = spawn(process.execPath, [join(tree, 'packages', 'poolhost', 'dist', 'poolhost.js'), 'start', '--config', configFile, '--run-dir', join(folder, 'run')], {
    // POOLHOST_SKELETON_APP: the application skeleton-worker.cjs hosts, when a trial runs it (w3wp reads no such variable).
    env: { ...process.env, POOLHOST_LOG_LEVEL: 'warn', POOLHOST_STARTUP_TRACE: trace, POOLHOST_SKELETON_APP: hello, ...env },
    cwd: folder,
    stdio: 'ignore',
  });
  try {
    await waitUntil('poolhost to accept', () => tcpAccepts(port), 60_000);
    if (warm && (await get(port, '/other/', 30_000)).status !== 200) throw new Error('the warm-up pool did not answer');
    await sleep(300);
    writeFileSync(trace, ''); // the marks of the start-up, the accept probes and the warm-up dropped
    const requested = epochMs();
    const answer = await get(port, '/', 30_000);
    const answered = epochMs();
    if (answer.status !== 200) throw new Error(`status ${answer.status}`);
    const marks = new Map<string, number>();
    for (const line of readFileSync(trace, 'latin1').split('\n')) {
      const [time, , ...label] = line.split(' ');
      const name = label.join(' ');
      if (name && !marks.has(name)) marks.set(name, Number(time) - requested);
    }
    marks.set('the answer at the client', answered - requested);
    return { totalMs: answered - requested, marks };
  } finally {
    await endTree([child.pid!], 20_000);
  }
}


const floors: number[] = [];
const starts = new Map<Trial, Start[]>(trees.map((tree) => [tree, []]));
try {
  for (const tree of trees) await demandStart(tree, join(work, `warm-up-${trees.indexOf(tree)}`));
  for (let round = 0; round < rounds; round++) {
    floors.push(await floorMs());
    const line = [`round ${round + 1}: floor ${floors.at(-1)!.toFixed(1)}`];
    // Rotated each round, so every tree runs in every position equally often.
    for (let k = 0; k < trees.length; k++) {
      const index = (k + round) % trees.length;
      await sleep(200);
      const start = await demandStart(trees[index]!, join(work, `${round}-${index}`));
      starts.get(trees[index]!)!.push(start);
      line.push(`tree ${index + 1} ${start.totalMs.toFixed(1)}`);
    }
    console.log(`${line.join(', ')} ms`);
  }
  const floor = median(floors);
  console.log(`\nmedians of ${rounds} rounds${warm ? ' (services warmed by another pool first)' : ''}, ms (load average ${readFileSync('/proc/loadavg', 'latin1').split(' ').slice(0, 3).join(' ')})`);
  console.log(`floor: ${floor.toFixed(1)} (${floors.map((value) => value.toFixed(1)).join(', ')})`);
  if (floorMarks) {
    // The floor's parts, to set against a demand start's (spawn returned, process start, first line, then
    // listening where a worker writes ATTACH, and the answer).
    const labels = [...new Set(floorMarkRounds.flatMap((marks) => [...marks.keys()]))];
    const rows = labels.map((label) => ({ label, ms: median(floorMarkRounds.flatMap((marks) => (marks.has(label) ? [marks.get(label)!] : []))) }));
    for (const row of rows.sort((a, b) => a.ms - b.ms)) console.log(`  ${row.ms.toFixed(1).padStart(7)}  ${row.label}`);
    const spans: Array<[string, string]> = [
      ['floor spawn returned', 'floor process start'],
      ['floor process start', 'floor first line'],
      ['floor first line', 'floor listening'],
      ['floor listening', 'floor request'],
      ['floor request', 'floor answer at the client'],
    ];
    for (const [from, to] of spans) {
      const parts = floorMarkRounds.flatMap((marks) => (marks.has(from) && marks.has(to) ? [marks.get(to)! - marks.get(from)!] : []));
      if (parts.length > 0) console.log(`  ${from} → ${to}: ${median(parts).toFixed(1)} ms (${parts.length} rounds)`);
    }
  }
  trees.forEach((tree, index) => {
    const list = starts.get(tree)!;
    const total = median(list.map((start) => start.totalMs));
    console.log(`tree ${index + 1} (${tree.name}): ${total.toFixed(1)} = ${(total / floor).toFixed(2)}× floor (${list.map((start) => start.totalMs.toFixed(1)).join(', ')})`);
    // Against the floor of its own round: what the machine's load moves alike in both cancels out.
    const overFloor = list.map((start, round) => start.totalMs - floors[round]!);
    const ratios = list.map((start, round) => start.totalMs / floors[round]!);
    console.log(`  − floor, median of the rounds' differences: ${median(overFloor).toFixed(1)} ms; median of the rounds' ratios: ${median(ratios).toFixed(2)}×`);
    if (floorMarks) {
      // Each part against the floor's counterpart in the same round: the spawn (the floor's is timed from
      // its spawn() call, a demand start's from the request), the exec, Node's boot to the first line, the
      // first line to ATTACH (the floor: to listening), and on to the answer (the floor: its client's poll
      // finding it listening, and the request).
      const pairs: Array<[string, string, string, string]> = [
        ['the request', 'was spawn returned', 'the request', 'floor spawn returned'],
        ['was spawn returned', 'w3wp process start', 'floor spawn returned', 'floor process start'],
        ['w3wp process start', 'w3wp loader', 'floor process start', 'floor first line'],
        ['w3wp loader', 'w3wp ATTACH', 'floor first line', 'floor listening'],
        ['w3wp ATTACH', 'the answer at the client', 'floor listening', 'floor answer at the client'],
      ];
      const at = (marks: Map<string, number>, label: string): number | undefined => (label === 'the request' ? 0 : marks.get(label));
      console.log('  − floor, by part (median of the rounds\' differences; the floor\'s part → this one\'s, medians):');
      for (const [from, to, floorFrom, floorTo] of pairs) {
        const parts = list.flatMap((start, round) => {
          const floorRound = floorMarkRounds[round];
          const [a0, a1, b0, b1] = [at(start.marks, from), at(start.marks, to), floorRound && at(floorRound, floorFrom), floorRound && at(floorRound, floorTo)];
          return a0 === undefined || a1 === undefined || b0 === undefined || b1 === undefined ? [] : [[b1 - b0, a1 - a0] as const];
        });
        if (parts.length > 0) console.log(`    ${from} → ${to}: ${median(parts.map(([floorPart, part]) => part - floorPart)).toFixed(1)} ms (${median(parts.map(([floorPart]) => floorPart)).toFixed(1)} → ${median(parts.map(([, part]) => part)).toFixed(1)}, ${parts.length} rounds)`);
      }
    }
    const labels = [...new Set(list.flatMap((start) => [...start.marks.keys()]))];
    const rows = labels.map((label) => ({ label, ms: median(list.flatMap((start) => (start.marks.has(label) ? [start.marks.get(label)!] : []))) }));
    for (const row of rows.sort((a, b) => a.ms - b.ms)) console.log(`  ${row.ms.toFixed(1).padStart(7)}  ${row.label}`);
  });
  const first = starts.get(trees[0]!)!;
  trees.slice(1).forEach((tree, index) => {
    const paired = median(starts.get(tree)!.map((start, round) => start.totalMs - first[round]!.totalMs));
    console.log(`tree ${index + 2} − tree 1, median of the rounds' differences: ${paired.toFixed(1)} ms`);
    // The same for each mark both trees write (e.g. `w3wp process exists`: the services' part alone).
    const rounds = starts.get(tree)!.map((start, round) => [first[round]!, start] as const);
    for (const label of new Set(rounds.flatMap(([a, b]) => [...a.marks.keys()].filter((mark) => b.marks.has(mark))))) {
      const differences = rounds.flatMap(([a, b]) => (a.marks.has(label) && b.marks.has(label) ? [b.marks.get(label)! - a.marks.get(label)!] : []));
      console.log(`  ${label}: ${median(differences).toFixed(1)} ms (${differences.length} rounds)`);
    }
    // The parts of a demand start, paired: the services' (to the spawn), the exec, Node's boot and the
    // loader's first requires, the w3wp's own start, and ATTACH → the answer.
    const spans: Array<[string, string]> = [
      ['the request', 'was spawn returned'],
      ['was spawn returned', 'w3wp process start'],
      ['w3wp process start', 'w3wp loader'],
      ['w3wp loader', 'w3wp ATTACH'],
      ['w3wp ATTACH', 'the answer at the client'],
    ];
    const at = (start: Start, label: string): number | undefined => (label === 'the request' ? 0 : start.marks.get(label));
    console.log(`tree ${index + 2} − tree 1, parts (median of the rounds' differences; the part's median in tree 1 → tree ${index + 2}):`);
    for (const [from, to] of spans) {
      const pairs = rounds.flatMap(([a, b]) => {
        const [a0, a1, b0, b1] = [at(a, from), at(a, to), at(b, from), at(b, to)];
        return a0 === undefined || a1 === undefined || b0 === undefined || b1 === undefined ? [] : [[a1 - a0, b1 - b0] as const];
      });
      if (pairs.length === 0) continue;
      console.log(`  ${from} → ${to}: ${median(pairs.map(([before, after]) => after - before)).toFixed(1)} ms (${median(pairs.map(([before]) => before)).toFixed(1)} → ${median(pairs.map(([, after]) => after)).toFixed(1)}, ${pairs.length} rounds)`);
    }
    // Each step's own duration (from the mark before it, both trees' common marks in tree 1's order), paired:
    // what a change to one step did, without the noise of the steps before it.
    const common = [...new Set(rounds.flatMap(([a, b]) => [...a.marks.keys()].filter((mark) => b.marks.has(mark))))];
    const order = common.map((label) => ({ label, ms: median(first.flatMap((start) => (start.marks.has(label) ? [start.marks.get(label)!] : []))) })).sort((x, y) => x.ms - y.ms);
    console.log(`tree ${index + 2} − tree 1, each step's own duration (median of the rounds' differences; the step's median in tree 1 → tree ${index + 2}):`);
    for (let k = 1; k < order.length; k++) {
      const from = order[k - 1]!.label;
      const to = order[k]!.label;
      const step = (start: Start): number | undefined => (start.marks.has(from) && start.marks.has(to) ? start.marks.get(to)! - start.marks.get(from)! : undefined);
      const pairs = rounds.flatMap(([a, b]) => {
        const before = step(a);
        const after = step(b);
        return before === undefined || after === undefined ? [] : [[before, after] as const];
      });
      if (pairs.length === 0) continue;
      const change = median(pairs.map(([before, after]) => after - before));
      console.log(`  ${from} → ${to}: ${change.toFixed(1)} ms (${median(pairs.map(([before]) => before)).toFixed(1)} → ${median(pairs.map(([, after]) => after)).toFixed(1)}, ${pairs.length} rounds)`);
    }
  });
} finally {
  rmSync(work, { recursive: true, force: true });
}
