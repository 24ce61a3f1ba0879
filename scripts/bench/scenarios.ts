// Every scenario of `pnpm bench`, with the contenders it compares and the target it checks.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request, Agent } from 'node:http';
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { scriptOf, STATIC_FILE, type ApplicationName } from './applications.js';
import type { BenchContext } from './context.js';
import { ensureDebianPackage, runWrk } from './load-generator.js';
import { TreeMonitor, processTree } from './process-stats.js';
import {
  HaproxyFarmServer,
  NginxServer,
  NodeServer,
  Pm2Server,
  PoolhostServer,
  endTree,
  freePort,
  get,
  repositoryRoot,
  sleep,

  waitUntil,
  type BenchCertificate,
  type BenchServer,
  type PoolhostSetup,
  type PoolSpec,
} from './servers.js';
import { median, fixed, megabytes } from './statistics.js';
import { runThroughput, type Contender, type StartableServer, type ThroughputResult } from './throughput.js';

const MB = 1024 * 1024;

// --- contenders ---------------------------------------------------------------------------------

function singlePool(physicalPath: string, pool: Partial<PoolSpec> = {}): PoolhostSetup {
  return {
    pools: [{ name: 'Bench', ...pool }],
    applications: [{ path: '/', pool: 'Bench', physicalPath }],
  };
}

function poolhost(name: string, setup: PoolhostSetup, ready?: Contender['ready']): Contender {
  return { name, create: (port, folder) => new PoolhostServer(name, port, folder, setup), ready };
}

function plainNode(context: BenchContext, application: ApplicationName, name = 'node'): Contender {
  return { name, create: (port, folder) => new NodeServer(name, port, scriptOf(context.applications, application), folder) };
}

function nodeCluster(context: BenchContext, application: ApplicationName, instances: number): Contender {
  const name = `node cluster ×${instances}`;
  return { name, create: (port, folder) => new NodeServer(name, port, scriptOf(context.applications, application), folder, instances) };
}

function nginx(context: BenchContext, application: ApplicationName, name = 'nginx→node'): Contender {
  const staticRoot = application === 'static' ? context.applications.static : undefined;
  return { name, create: (port, folder) => new NginxServer(name, port, scriptOf(context.applications, application), folder, staticRoot) };
}

function pm2(context: BenchContext, application: ApplicationName, instances: number): Contender {
  const name = `pm2 cluster ×${instances}`;
  return { name, create: (port, folder) => new Pm2Server(name, port, scriptOf(context.applications, application), folder, instances) };
}

/** The repository's own `<system.webServer>`: whatever module set poolhost ships with by default. */
function defaultWebServerSection(): string {
  const text = readFileSync(join(repositoryRoot, 'applicationHost.config'), 'utf8');
  return /<system\.webServer>([\s\S]*?)<\/system\.webServer>/.exec(text)?.[1] ?? '';
}

// --- reporting helpers --------------------------------------------------------------------------

/** `byProcess`: the note names each process role's CPU µs per request (medians over the rounds). */
function reportThroughput(context: BenchContext, result: ThroughputResult, scenario: string, byProcess = false): void {
  let first = true;
  for (const [server, m] of result.medians) {
    const ratio = result.ratios.get(server);
    context.report.add({
      scenario,
      server,
      requestsPerSecond: m.requestsPerSecond,
      p50Ms: m.p50Ms,
      p99Ms: m.p99Ms,
      cpuMicrosecondsPerRequest: m.cpuMicrosecondsPerRequest,
      listenerCpuMicroseconds: m.listenerCpuMicrosecondsPerRequest,
      peakRssMegabytes: m.peakRssBytes / MB,
      errors: m.errors,
      ratio: first ? '' : `${fixed(ratio!.throughput, 2)}×`,
      ...(byProcess
        ? { note: `CPU µs/req by process: ${[...m.cpuMicrosecondsByProcess].sort((a, b) => b[1] - a[1]).map(([role, us]) => `${role} ${fixed(us, 1)}`).join(', ')}` }
        : {}),
    });
    first = false;
  }
}

function ratioTarget(context: BenchContext, result: ThroughputResult, against: string, minimum: number, label: string): void {
  const ratio = result.ratios.get(against)!.throughput;
  context.report.target(`${label} ≥ ${minimum}× ${against}`, `${fixed(ratio, 2)}×`, ratio >= minimum);
}

// --- throughput scenarios -----------------------------------------------------------------------

export async function helloWorld(context: BenchContext): Promise<void> {
  const result = await runThroughput(context, {
    name: 'hello world, 1 worker',
    path: '/',
    contenders: [poolhost('poolhost', singlePool(context.applications.hello)), nginx(context, 'hello'), plainNode(context, 'hello')],
  });
  reportThroughput(context, result, 'hello world, 1 worker');
  ratioTarget(context, result, 'nginx→node', 1.1, 'hello world throughput');
  const p99 = result.ratios.get('nginx→node')!.p99;
  context.report.target('hello world p99 ≤ nginx→node p99', `nginx p99 ÷ poolhost p99 = ${fixed(p99, 2)}`, p99 >= 1);
}

/** poolhost with inetmgr (`--metrics`) and a Prometheus-like scrape of /metrics every second while it runs. */
class ScrapedPoolhostServer extends PoolhostServer {
  private scraper: NodeJS.Timeout | null = null;
  scrapes = 0;
  /** Off: inetmgr runs but nobody scrapes it (the same processes, to compare without two instances' noise). */
  scraping = true;
  private started: Promise<void> | null = null;

  /**
   * The instance as one contender: scraped (`scraping`) or left alone while it is measured. Two views share
   * it; it starts with the first to start and stops with the `owner`.
   */
  view(name: string, scraping: boolean, owner: boolean): StartableServer {
    return {
      name,
      port: this.port,
      roots: () => this.roots(),
      start: () => (this.started ??= this.start()),
      stop: () => (owner ? this.stop() : Promise.resolve()),
      beforeMeasure: () => {
        this.scraping = scraping;
      },
    };
  }

  constructor(name: string, port: number, folder: string, setup: PoolhostSetup, private readonly metricsPort: number) {
    super(name, port, folder, setup, {}, ['--metrics', `127.0.0.1:${metricsPort}`]);
  }

  override async start(): Promise<void> {
    await super.start();
    await waitUntil('inetmgr to answer /metrics', async () => (await get(this.metricsPort, '/metrics').catch(() => null))?.status === 200);
    if (this.scraper) clearInterval(this.scraper);
    this.scraper = setInterval(() => {
      if (!this.scraping) return;
      get(this.metricsPort, '/metrics').then(
        (response) => {
          if (response.status === 200) this.scrapes++;
        },
        () => undefined,
      );
    }, 1_000);
    // Never what keeps the bench alive once it is done.
    this.scraper.unref();
  }

  override async stop(): Promise<void> {
    if (this.scraper) clearInterval(this.scraper);
    this.scraper = null;
    await super.stop();
  }
}

/** The cost of the counters and of serving them: hello world with --metrics and a scrape a second, beside it off. */
export async function metricsScraped(context: BenchContext): Promise<void> {
  const metricsPort = await freePort();
  const setup = singlePool(context.applications.hello);
  let scraped: ScrapedPoolhostServer | null = null;
  const instance = (port: number, folder: string): ScrapedPoolhostServer => (scraped ??= new ScrapedPoolhostServer('poolhost --metrics', port, folder, setup, metricsPort));
  const result = await runThroughput(context, {
    // Short names: they become folders, and the run directory's socket paths must stay under 108 bytes.
    name: 'hello, metrics',
    path: '/',
    contenders: [
      { name: 'poolhost --metrics', create: (port, folder) => instance(port, folder).view('poolhost --metrics', true, true) },
      poolhost('poolhost', setup),
      // The same processes as the first contender, not scraped: what the scrapes alone cost, without the
      // ±5 % two identical instances differ by on this machine.
      { name: 'same, not scraped', create: (port, folder) => instance(port, folder).view('same, not scraped', false, false) },
    ],
  });
  reportThroughput(context, result, 'hello world, /metrics scraped every second', true);
  ratioTarget(context, result, 'poolhost', 0.98, 'hello world with /metrics scraped every second');
  ratioTarget(context, result, 'same, not scraped', 0.98, 'the same poolhost scraped every second');
  if ((scraped as ScrapedPoolhostServer | null)?.scrapes === 0) throw new Error('/metrics was never scraped during the run');
}

/**
 * What one scrape of /metrics costs each process, apart from any HTTP load: `--metrics` adds nothing per
 * request (the counters are always kept), so this is its whole cost. Scrapes in a row, CPU from /proc.
 */
export async function scrapeCost(context: BenchContext): Promise<void> {
  const metricsPort = await freePort();
  const port = await freePort();
  const server = new PoolhostServer('poolhost --metrics', port, join(context.work, 'scrape'), singlePool(context.applications.hello), {}, ['--metrics', `127.0.0.1:${metricsPort}`]);
  const scrapes = context.quick ? 50 : 300;
  console.log(`\n/metrics scraped ${scrapes} times in a row, no HTTP load`);
  try {
    await server.start();
    await waitUntil('hello world to answer', async () => (await get(port, '/')).status === 200);
    await waitUntil('inetmgr to answer /metrics', async () => (await get(metricsPort, '/metrics').catch(() => null))?.status === 200);
    for (let i = 0; i < 20; i++) await get(metricsPort, '/metrics'); // warm-up
    const perRound: Map<string, number>[] = [];
    for (let round = 0; round < context.rounds; round++) {
      const monitor = new TreeMonitor(() => server.roots(), 1_000);
      monitor.start();
      for (let i = 0; i < scrapes; i++) {
        const response = await get(metricsPort, '/metrics');
        if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
      }
      monitor.stop();
      const byRole = monitor.cpuSecondsByName();
      byRole.set('all', monitor.cpuSeconds);
      perRound.push(new Map([...byRole].map(([role, seconds]): [string, number] => [role, (seconds * 1e3) / scrapes])));
    }
    const roles = [...new Set(perRound.flatMap((round) => [...round.keys()]))];
    const medianMs = new Map(roles.map((role) => [role, median(perRound.map((round) => round.get(role) ?? 0))]));
    context.report.add({
      scenario: 'one /metrics scrape, CPU ms by process (no load)',
      server: 'poolhost --metrics',
      note: `${[...medianMs].sort((a, b) => b[1] - a[1]).map(([role, ms]) => `${role} ${fixed(ms, 2)}`).join(', ')}; all by round: ${perRound.map((round) => fixed(round.get('all')!, 2)).join(', ')}`,
    });
  } finally {
    await server.stop();
  }
}

export async function webGarden(context: BenchContext): Promise<void> {
  const garden = singlePool(context.applications.hello, { processModel: { maxProcesses: '2' } });
  const result = await runThroughput(context, {
    name: 'web garden of 2',
    path: '/',
    contenders: [
      poolhost('poolhost ×2', garden, async (server) => {
        await waitUntil('both workers of the web garden', () => (server as PoolhostServer).workers().length === 2, 10_000);
      }),
      pm2(context, 'hello', 2),
      nodeCluster(context, 'hello', 2),
    ],
  });
  reportThroughput(context, result, 'web garden of 2');
  ratioTarget(context, result, 'pm2 cluster ×2', 0.8, 'web garden of 2');
}

export async function expressApp(context: BenchContext): Promise<void> {
  const result = await runThroughput(context, {
    name: 'Express',
    path: '/',
    contenders: [poolhost('poolhost + Express', singlePool(context.applications.express)), plainNode(context, 'express', 'Express alone')],
  });
  reportThroughput(context, result, 'Express app');
  ratioTarget(context, result, 'Express alone', 0.8, 'Express in poolhost');
}

export async function staticFile(context: BenchContext): Promise<void> {
  const result = await runThroughput(context, {
    name: 'static 50 KB',
    path: `/${STATIC_FILE}`,
    contenders: [
      poolhost('poolhost static', singlePool(context.applications.static)),
      nginx(context, 'static', 'nginx static'),
      plainNode(context, 'static', 'node fs stream'),
    ],
  });
  reportThroughput(context, result, 'static file 50 KB');
}

/** A caching profile that lets httpsys' kernel cache keep every response of the application for 30 s. */
const CACHE_EVERYTHING = '<caching><profiles><add extension="*" kernelCachePolicy="CacheForTimePeriod" duration="00:00:30" /></profiles></caching>';

/**
 * The kernel response cache (docs/kernel-cache.md): the 50 KB static file (cached by default, until it
 * changes) against nginx serving the file itself, and a hello world made cacheable by a caching profile
 * against plain Node. Both are answered by httpsys without a message to the worker once frequently hit.
 */
export async function kernelCache(context: BenchContext): Promise<void> {
  const staticResult = await runThroughput(context, {
    name: 'static 50 KB, kernel cache',
    path: `/${STATIC_FILE}`,
    contenders: [poolhost('poolhost kernel cache', singlePool(context.applications.static)), nginx(context, 'static', 'nginx static'), plainNode(context, 'static', 'node fs stream')],
  });
  reportThroughput(context, staticResult, 'static 50 KB, kernel cache');
  ratioTarget(context, staticResult, 'nginx static', 0.9, 'static 50 KB from the kernel cache');
  const helloResult = await runThroughput(context, {
    name: 'cacheable hello world',
    path: '/',
    contenders: [poolhost('poolhost kernel cache', { ...singlePool(context.applications.hello), webServer: CACHE_EVERYTHING }), plainNode(context, 'hello'), nginx(context, 'hello')],
  });
  reportThroughput(context, helloResult, 'cacheable hello world');
  ratioTarget(context, helloResult, 'node', 1.2, 'cacheable hello world from the kernel cache');
}

export async function streamedResponse(context: BenchContext): Promise<void> {
  const result = await runThroughput(context, {
    name: 'stream 1 MiB',
    path: '/',
    connections: 10,
    contenders: [poolhost('poolhost', singlePool(context.applications.stream)), nginx(context, 'stream'), plainNode(context, 'stream')],
  });
  reportThroughput(context, result, '1 MiB streamed response (10 conns)');
}

export async function postBody(context: BenchContext): Promise<void> {
  const result = await runThroughput(context, {
    name: 'POST 1 MiB',
    path: '/',
    postBytes: MB,
    connections: 10,
    contenders: [poolhost('poolhost', singlePool(context.applications.upload)), nginx(context, 'upload'), plainNode(context, 'upload')],
  });
  reportThroughput(context, result, 'POST 1 MiB body (10 conns)');
}

export async function manyApplications(context: BenchContext): Promise<void> {
  const hello = context.applications.hello;
  const many: PoolhostSetup = {
    pools: [{ name: 'Bench' }],
    applications: [{ path: '/', pool: 'Bench', physicalPath: hello }],
  };
  for (let i = 1; i < 1000; i++) many.applications.push({ path: `/app${i}`, pool: 'Bench', physicalPath: hello });
  const result = await runThroughput(context, {
    name: '1000 applications',
    path: '/app500/',
    contenders: [poolhost('1000 applications', many), poolhost('1 application', singlePool(hello))],
  });
  reportThroughput(context, result, '1000 apps vs 1 (by path)');
  ratioTarget(context, result, '1 application', 0.95, '1000 applications');
}

export async function moduleSet(context: BenchContext): Promise<void> {
  const webServer = defaultWebServerSection();
  const full: PoolhostSetup = { ...singlePool(context.applications.hello), webServer };
  const bare: PoolhostSetup = {
    ...singlePool(context.applications.hello),
    webServer,
    // Every module removed except the handler's (iisnode) and anonymous authentication (without any
    // authentication module IIS answers 401).
    extra:
      '<location path="Bench" overrideMode="Allow"><system.webServer><modules><clear />' +
      '<add name="AnonymousAuthenticationModule" /><add name="iisnode" /></modules></system.webServer></location>',
  };
  const result = await runThroughput(context, {
    name: 'default modules',
    path: '/',
    contenders: [poolhost('default module set', full), poolhost('bare handler', bare)],
  });
  reportThroughput(context, result, 'all default modules vs bare handler');
  ratioTarget(context, result, 'bare handler', 0.9, 'default module set');
}

// --- start-up: cold start and crash replacement ------------------------------------------------

/**
 * Every `node` started with NODE_EXTRA_CA_CERTS set reads and parses that file while it boots, whether or
 * not it ever opens a TLS connection: ≈40 ms of a ≈28 ms boot with this machine's bundle of 144 roots
 * (docs/performance.md, "Demand start: what NODE_EXTRA_CA_CERTS hides"). The floor and each worker pay it
 * alike, so it hides how much a start-up adds: where it is set, the start-up scenarios are timed without
 * it too, floor included, and report each row and target once per environment.
 */
interface BootEnvironment {
  /** Set on top of the bench's environment (undefined removes a variable). */
  env: Record<string, string | undefined>;
  /** Names a row of this environment: `poolhost` → `poolhost, without NODE_EXTRA_CA_CERTS`. */
  server(name: string): string;
  floorName: string;
  /** Appended to a target's name. */
  targetSuffix: string;
  /** Appended to a round's work folder, so that no two environments share a run directory. */
  folderSuffix: string;
}

const asTheBenchRuns: BootEnvironment = {
  env: {},
  server: (name) => name,
  floorName: 'floor: spawn node until it answers',
  targetSuffix: '',
  folderSuffix: '',
};

const withoutExtraCaCerts: BootEnvironment = {
  env: { NODE_EXTRA_CA_CERTS: undefined },
  server: (name) => `${name}, without NODE_EXTRA_CA_CERTS`,
  floorName: 'floor, without NODE_EXTRA_CA_CERTS',
  targetSuffix: ', both without NODE_EXTRA_CA_CERTS',
  folderSuffix: 'c',
};

/** The bench's own environment, then, where NODE_EXTRA_CA_CERTS is set, the same without it. */
function bootEnvironments(): BootEnvironment[] {
  return process.env.NODE_EXTRA_CA_CERTS === undefined ? [asTheBenchRuns] : [asTheBenchRuns, withoutExtraCaCerts];
}

const roundsNote = (times: number[]): string => `rounds: ${times.map((v) => fixed(v)).join(', ')} ms`;

/** A start-up row against its floor; returns its median. */
function addAgainstFloor(context: BenchContext, scenario: string, server: string, times: number[], floorMs: number): number {
  const p50Ms = median(times);
  context.report.add({ scenario, server, p50Ms, ratio: `${fixed(p50Ms / floorMs, 2)}× floor`, note: roundsNote(times) });
  return p50Ms;
}

/** The floor's row; returns its median. */
function addFloor(context: BenchContext, scenario: string, environment: BootEnvironment, floors: number[]): number {
  const p50Ms = median(floors);
  context.report.add({ scenario, server: environment.floorName, p50Ms, note: roundsNote(floors) });
  return p50Ms;
}

/** The floor: spawn `node` with the hello app and poll until it answers HTTP. */
async function spawnFloor(context: BenchContext, environment: BootEnvironment): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [scriptOf(context.applications, 'hello')], { env: { ...process.env, ...environment.env, PORT: String(port) }, stdio: 'ignore' });
  try {
    await waitUntil('node to answer', async () => (await get(port, '/')).status === 200, 10_000, 1);
    return performance.now() - started;
  } finally {
    await endTree([child.pid!]);
  }
}

/** A spare w3wp of this run directory is up (its title is set as it boots; it says SpareWorkerReady a few ms later). */
function spareBooted(runDirectory: string): boolean {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!readFileSync(`/proc/${entry}/cmdline`, 'latin1').startsWith('poolhost: w3wp (spare)')) continue;
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0').includes(`POOLHOST_RUN_DIR=${runDirectory}`)) return true;
    } catch {
      // a process that ended meanwhile
    }
  }
  return false;
}

/** Starts poolhost, waits (for its spare, with spareWorkers), then times the first request of its OnDemand pool. */
async function firstAnswerMs(context: BenchContext, folder: string, spareWorkers: number, environment: BootEnvironment): Promise<number> {
  const port = await freePort();
  const server = new PoolhostServer('poolhost', port, folder, { ...singlePool(context.applications.hello), spareWorkers }, environment.env);
  try {
    await server.start();
    if (spareWorkers > 0) await waitUntil('the spare worker to boot', () => spareBooted(server.runDirectory), 20_000, 10);
    await sleep(300);
    const started = performance.now();
    const answer = await get(port, '/', 20_000);
    return answer.status === 200 ? performance.now() - started : Number.NaN;
  } finally {
    await server.stop();
  }
}

export async function coldStart(context: BenchContext): Promise<void> {
  console.log('\ncold start');
  const environments = bootEnvironments();
  const floors = environments.map((): number[] => []);
  const colds = environments.map((): number[] => []);
  const spares: number[] = [];
  const rounds = context.quick ? 1 : Math.max(5, context.rounds);
  // Round by round, each environment in turn: a load that changes meanwhile weighs on both alike.
  for (let round = 0; round < rounds; round++) {
    for (const [index, environment] of environments.entries()) {
      floors[index]!.push(await spawnFloor(context, environment));
      colds[index]!.push(await firstAnswerMs(context, join(context.work, 'cold-start', `${round}${environment.folderSuffix}`), 0, environment));
      if (environment === asTheBenchRuns) spares.push(await firstAnswerMs(context, join(context.work, 'cold-start', `${round}s`), 1, environment));
    }
  }
  const scenario = 'cold start (first request, OnDemand pool)';
  for (const [index, environment] of environments.entries()) {
    const floor = median(floors[index]!);
    const cold = addAgainstFloor(context, scenario, environment.server('poolhost'), colds[index]!, floor);
    const spare = environment === asTheBenchRuns ? addAgainstFloor(context, scenario, 'poolhost, spareWorkers 1', spares, floor) : undefined;
    addFloor(context, scenario, environment, floors[index]!);
    context.report.target(`cold start ≤ 1.3× spawn-to-answer floor${environment.targetSuffix}`, `${fixed(cold)} ms vs ${fixed(floor)} ms (${fixed(cold / floor, 2)}×)`, cold <= 1.3 * floor);
    if (spare !== undefined) context.report.target('cold start with a spare ≤ 1.0× spawn-to-answer floor', `${fixed(spare)} ms vs ${fixed(floor)} ms (${fixed(spare / floor, 2)}×)`, spare <= floor);
  }
}

function post(port: number, path: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', () => resolve(0));
    req.end();
  });
}

/** `folder`: short, as the run directory in it must leave room for its socket paths. */
async function crashRounds(context: BenchContext, label: string, folder: string, pool: Partial<PoolSpec>, environment: BootEnvironment): Promise<number[]> {
  const port = await freePort();
  const setup = singlePool(context.applications.crash, { ...pool, children: '<failure rapidFailProtection="false" />' });
  const server = new PoolhostServer(label, port, join(context.work, 'crash', `${folder}${environment.folderSuffix}`), setup, environment.env);
  const times: number[] = [];
  try {
    await server.start();
    let pid = (await get(port, '/', 20_000)).body;
    const rounds = context.quick ? 1 : Math.max(5, context.rounds);
    for (let round = 0; round < rounds; round++) {
      await sleep(500); // a standby worker (if any) is started again meanwhile
      const started = performance.now();
      await post(port, '/crash');
      let answer = await get(port, '/', 20_000);
      while (answer.body === pid) answer = await get(port, '/', 20_000);
      times.push(performance.now() - started);
      pid = answer.body;
    }
  } finally {
    await server.stop();
  }
  return times;
}

export async function crashReplacement(context: BenchContext): Promise<void> {
  console.log('\ncrash to replacement serving');
  const scenario = 'crash → replacement serving';
  const rounds = context.quick ? 1 : 3;
  for (const environment of bootEnvironments()) {
    const floors: number[] = [];
    for (let i = 0; i < rounds; i++) floors.push(await spawnFloor(context, environment));
    const plain = await crashRounds(context, environment.server('poolhost'), 'plain', {}, environment);
    const standby = await crashRounds(context, environment.server('poolhost with standby worker'), 'standby', { attributes: { standbyWorker: 'true' } }, environment);
    for (let i = 0; i < rounds; i++) floors.push(await spawnFloor(context, environment));
    const floor = median(floors);
    const plainMs = addAgainstFloor(context, scenario, environment.server('poolhost'), plain, floor);
    const standbyMs = addAgainstFloor(context, scenario, environment.server('poolhost, standbyWorker'), standby, floor);
    addFloor(context, scenario, environment, floors);
    context.report.target(
      `crash to replacement serving ≤ 1.5× floor${environment.targetSuffix}`,
      `${fixed(plainMs)} ms (standby: ${fixed(standbyMs)} ms) vs ${fixed(floor)} ms`,
      Math.min(plainMs, standbyMs) <= 1.5 * floor,
    );
  }
}

// --- recycle under load -------------------------------------------------------------------------

export async function recycleUnderLoad(context: BenchContext): Promise<void> {
  console.log('\nrecycle under load');
  const seconds = context.quick ? 2 : Math.max(10, context.seconds * 2);
  const recycles = context.quick ? 1 : 4;
  const poolhostServer = new PoolhostServer('poolhost', await freePort(), join(context.work, 'recycle', 'poolhost'), singlePool(context.applications.hello));
  const pm2Server = new Pm2Server('pm2 cluster ×1', await freePort(), scriptOf(context.applications, 'hello'), join(context.work, 'recycle', 'pm2'), 1);
  try {
    await poolhostServer.start();
    await pm2Server.start();
    for (const server of [poolhostServer, pm2Server]) {
      await waitUntil('first answer', async () => (await get(server.port, '/', 20_000)).status === 200);
      await runWrk({ url: `http://127.0.0.1:${server.port}/`, connections: context.connections, seconds: context.warmupSeconds, workDirectory: context.work });
    }
    const rows: { server: string; calm: number[]; recycling: number[]; errors: number; p99: number[]; done: number }[] = [
      { server: 'poolhost (appcmd recycle apppool)', calm: [], recycling: [], errors: 0, p99: [], done: 0 },
      { server: 'pm2 cluster ×1 (pm2 reload)', calm: [], recycling: [], errors: 0, p99: [], done: 0 },
    ];
    const rounds = context.quick ? 1 : Math.max(2, Math.ceil(context.rounds / 2));
    for (let round = 0; round < rounds; round++) {
      for (const [index, server] of [poolhostServer, pm2Server].entries()) {
        const row = rows[index]!;
        const url = `http://127.0.0.1:${server.port}/`;
        row.calm.push((await runWrk({ url, connections: context.connections, seconds, workDirectory: context.work })).requestsPerSecond);
        const load = runWrk({ url, connections: context.connections, seconds, workDirectory: context.work });
        for (let i = 0; i < recycles; i++) {
          await sleep((seconds * 1000) / (recycles + 1));
          if (server instanceof PoolhostServer) server.appcmd('recycle', 'apppool', '/apppool.name:Bench');
          else server.reload();
          row.done++;
        }
        const result = await load;
        row.recycling.push(result.requestsPerSecond);
        row.p99.push(result.p99Ms);
        row.errors += result.errors;
      }
    }
    for (const row of rows) {
      const dip = median(row.recycling) / median(row.calm);
      context.report.add({
        scenario: 'recycle under load',
        server: row.server,
        requestsPerSecond: median(row.recycling),
        p99Ms: median(row.p99),
        errors: row.errors,
        note: `${row.done} recycles; throughput ${fixed(dip * 100)} % of a calm run (${fixed(median(row.calm))} req/s)`,
      });
    }
    context.report.target('recycle under load: 0 failed requests', `${rows[0]!.errors} failed in ${rows[0]!.done} recycles`, rows[0]!.errors === 0);
  } finally {
    await poolhostServer.stop();
    await pm2Server.stop();
  }
}

// --- idle keep-alive connections ----------------------------------------------------------------

/** `count` keep-alive connections, each having had one request answered (over TLS: HTTP/1.1, no resumption). */
async function openIdleConnections(port: number, count: number, tls = false): Promise<Socket[]> {
  const sockets: Socket[] = [];
  const openOne = () =>
    new Promise<void>((resolve, reject) => {
      const socket = tls
        ? tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] })
        : connect(port, '127.0.0.1');
      socket.setTimeout(30_000, () => socket.destroy(new Error('idle connection timed out opening')));
      socket.once('error', reject);
      socket.once(tls ? 'secureConnect' : 'connect', () => socket.write('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n'));
      socket.on('data', (chunk: Buffer) => {
        if (chunk.includes('hello world')) {
          socket.setTimeout(0);
          socket.removeListener('error', reject);
          socket.on('error', () => {});
          sockets.push(socket);
          resolve();
        }
      });
    });
  const batch = 250;
  for (let i = 0; i < count; i += batch) await Promise.all(Array.from({ length: Math.min(batch, count - i) }, openOne));
  return sockets;
}

export async function idleConnections(context: BenchContext): Promise<void> {
  await idleConnectionsOf(context, null);
}

/** 10,000 idle TLS keep-alive connections (ECDSA P-256, TLS 1.3, one request each): httpsys beside nginx terminating TLS. */
export async function idleTlsConnections(context: BenchContext): Promise<void> {
  await idleConnectionsOf(context, benchCertificate(context, 'ecdsa'));
}

async function idleConnectionsOf(context: BenchContext, tls: BenchCertificate | null): Promise<void> {
  console.log(`\nidle ${tls ? 'TLS ' : ''}keep-alive connections`);
  const count = context.quick ? 1000 : 10_000;
  const scenario = `${count.toLocaleString('en-US')} idle ${tls ? 'TLS ' : ''}keep-alive connections`;
  const folder = join(context.work, tls ? 'idle-tls' : 'idle');
  const contenders: { name: string; server: PoolhostServer | NodeServer | NginxServer; listener: () => number[] }[] = [];
  const poolhostServer = new PoolhostServer('poolhost', await freePort(), join(folder, 'poolhost'), { ...singlePool(context.applications.hello), ...(tls ? { tls } : {}) });
  contenders.push({ name: 'poolhost (httpsys)', server: poolhostServer, listener: () => [poolhostServer.listenerPid()!] });
  const nginxServer = new NginxServer('nginx→node', await freePort(), scriptOf(context.applications, 'hello'), join(folder, 'nginx'), undefined, tls ?? undefined);
  contenders.push({ name: 'nginx (master + worker)', server: nginxServer, listener: () => processTree([nginxServer.roots()[0]!]).map((p) => p.pid) });
  if (!tls) {
    const nodeServer = new NodeServer('node', await freePort(), scriptOf(context.applications, 'hello'), join(folder, 'node'));
    contenders.push({ name: 'node', server: nodeServer, listener: () => nodeServer.roots() });
  }
  let poolhostRss = Number.NaN;
  for (const contender of contenders) {
    try {
      await contender.server.start();
      await waitUntil('first answer', async () => (await get(contender.server.port, '/', 20_000, tls !== null)).status === 200);
      const scheme = tls ? 'https' : 'http';
      await runWrk({ url: `${scheme}://127.0.0.1:${contender.server.port}/`, connections: context.connections, seconds: context.warmupSeconds, workDirectory: context.work });
      const rss = () => processTree(contender.listener()).reduce((sum, p) => sum + p.rssBytes, 0);
      await sleep(500);
      const before = rss();
      const sockets = await openIdleConnections(contender.server.port, count, tls !== null);
      await sleep(1_000);
      const justOpened = rss();
      // Idle for a while: V8's memory reducer collects the garbage of the burst that opened them.
      await sleep(context.quick ? 1_000 : 10_000);
      const settled = rss();
      for (const socket of sockets) socket.destroy();
      context.report.add({
        scenario,
        server: contender.name,
        peakRssMegabytes: Math.max(justOpened, settled) / MB,
        note:
          `${sockets.length} open; RSS ${megabytes(before)} → ${megabytes(justOpened)} MB 1 s after opening → ${megabytes(settled)} MB ` +
          `after ${context.quick ? 2 : 11} s idle (${fixed((settled - before) / sockets.length)} B per connection)`,
      });
      if (contender.server === poolhostServer) poolhostRss = settled;
    } finally {
      await contender.server.stop();
    }
  }
  const bound = tls ? 250 : 150;
  context.report.target(`${scenario}: listener RSS ≤ ${bound} MB (idle, settled)`, `${megabytes(poolhostRss)} MB`, poolhostRss <= bound * MB);
}

// --- 1 GiB each way -----------------------------------------------------------------------------

function download(port: number, bytes: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: `/?bytes=${bytes}`, agent: new Agent() }, (res) => {
      let received = 0;
      res.on('data', (chunk: Buffer) => (received += chunk.length));
      res.on('end', () => (received === bytes ? resolve(received) : reject(new Error(`downloaded ${received} of ${bytes} bytes`))));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

function upload(port: number, bytes: number): Promise<number> {
  const chunk = Buffer.alloc(64 * 1024, 121);
  let left = bytes;
  const body = new Readable({
    read() {
      if (left <= 0) return void this.push(null);
      const part = left >= chunk.length ? chunk : chunk.subarray(0, left);
      left -= part.length;
      this.push(part);
    },
  });
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', method: 'POST', headers: { 'Content-Length': bytes } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (data: string) => (text += data));
      res.on('end', () => (Number(text) === bytes ? resolve(bytes) : reject(new Error(`the server read ${text} of ${bytes} bytes`))));
    });
    req.on('error', reject);
    body.pipe(req);
  });
}

export async function bulkTransfers(context: BenchContext): Promise<void> {
  console.log('\nbulk transfers');
  const bytes = context.quick ? 64 * MB : 1024 * MB;
  const label = context.quick ? '64 MiB' : '1 GiB';
  const scenario = `${label} download + ${label} upload`;
  const contenders = [
    new PoolhostServer('poolhost', await freePort(), join(context.work, 'bulk', 'poolhost'), singlePool(context.applications.bulk)),
    new NginxServer('nginx→node', await freePort(), scriptOf(context.applications, 'bulk'), join(context.work, 'bulk', 'nginx')),
    new NodeServer('node', await freePort(), scriptOf(context.applications, 'bulk'), join(context.work, 'bulk', 'node')),
  ];
  let worstPoolhostGrowth = 0;
  let worstProcess = '';
  for (const server of contenders) {
    try {
      await server.start();
      await waitUntil('first answer', async () => (await get(server.port, '/?bytes=10', 20_000)).status === 200);
      await sleep(300);
      const monitor = new TreeMonitor(() => server.roots(), 50);
      monitor.start();
      const started = performance.now();
      await download(server.port, bytes);
      const downloaded = performance.now();
      await upload(server.port, bytes);
      const uploaded = performance.now();
      monitor.stop();
      const processes = monitor.perProcess().sort((a, b) => b.growth - a.growth);
      const worst = processes[0]!;
      context.report.add({
        scenario,
        server: server.name,
        peakRssMegabytes: monitor.peakTotalRss / MB,
        note:
          `down ${fixed(bytes / MB / ((downloaded - started) / 1000))} MB/s, up ${fixed(bytes / MB / ((uploaded - downloaded) / 1000))} MB/s; RSS growth: ` +
          processes.map((p) => `${p.name} +${megabytes(p.growth)}`).join(', ') + ' MB',
      });
      if (server instanceof PoolhostServer) {
        worstPoolhostGrowth = worst.growth;
        worstProcess = worst.name;
      }
    } finally {
      await server.stop();
    }
  }
  context.report.target(`${scenario}: RSS growth ≤ 50 MB in every process`, `worst: ${worstProcess} +${megabytes(worstPoolhostGrowth)} MB`, worstPoolhostGrowth <= 50 * MB);
}

// --- HTTPS ----------------------------------------------------------------------------------------

/** A self-signed certificate for 127.0.0.1, ECDSA P-256 or RSA-2048 (the key 0600, as httpsys requires). */
function benchCertificate(context: BenchContext, keyType: 'ecdsa' | 'rsa'): BenchCertificate {
  const certFile = join(context.work, `bench-tls-${keyType}.pem`);
  const keyFile = join(context.work, `bench-tls-${keyType}.key`);
  const key = keyType === 'ecdsa' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'] : ['-newkey', 'rsa:2048'];
  execFileSync('openssl', ['req', '-x509', ...key, '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
  chmodSync(keyFile, 0o600);
  return { certFile, keyFile };
}

/**
 * `openssl s_time` × `clients` at once: handshakes per second. `-new`: a full handshake per connection.
 * `-reuse`: each connection resumes the first one's session — with TLS 1.3 the ticket comes after the
 * handshake, so the client reads a response (`-www /`) before it closes, or it would have no ticket to offer.
 */
async function handshakesPerSecond(port: number, seconds: number, clients: number, resumed: boolean): Promise<{ perSecond: number; connections: number }> {
  const mode = resumed ? ['-reuse', '-www', '/'] : ['-new'];
  const one = (): Promise<{ perSecond: number; connections: number }> =>
    new Promise((resolve, reject) => {
      const child = spawn('openssl', ['s_time', '-connect', `127.0.0.1:${port}`, ...mode, '-time', String(seconds)], { stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      let errors = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (errors += chunk));
      child.once('error', reject);
      child.once('exit', (code, signal) => {
        const match = /(\d+) connections in (\d+) real seconds/.exec(output);
        // s_time prints one character per connection: `r` for a resumed session, `*` for a full handshake.
        const marks = output.match(/^[r*]+$/gm)?.join('') ?? '';
        const reused = [...marks].filter((mark) => mark === 'r').length;
        if (!match) reject(new Error(`openssl s_time exited (${code ?? signal}) without its summary: ${errors.slice(-800) || output.slice(-300)}`));
        else if (resumed && reused < 0.9 * marks.length) reject(new Error(`openssl s_time -reuse: only ${reused} of ${marks.length} connections resumed their session`));
        else if (!resumed && reused > 0) reject(new Error(`openssl s_time -new: ${reused} connections resumed a session`));
        else resolve({ perSecond: Number(match[1]) / Math.max(1, Number(match[2])), connections: Number(match[1]) });
      });
    });
  // An s_time client that dies without its summary (seen once in CI's quick run, not reproduced) is run
  // again once, and said so; a second failure fails the scenario.
  const oneWithRetry = (): Promise<{ perSecond: number; connections: number }> =>
    one().catch((error: Error) => {
      process.stderr.write(`${error.message}\n  (one s_time client run again)\n`);
      return one();
    });
  const results = await Promise.all(Array.from({ length: clients }, oneWithRetry));
  return { perSecond: results.reduce((sum, value) => sum + value.perSecond, 0), connections: results.reduce((sum, value) => sum + value.connections, 0) };
}

function httpsContenders(context: BenchContext, tls: BenchCertificate): Contender[] {
  return [
    { name: 'poolhost', create: (port, folder) => new PoolhostServer('poolhost', port, folder, { ...singlePool(context.applications.hello), tls }) },
    { name: 'nginx→node', create: (port, folder) => new NginxServer('nginx→node', port, scriptOf(context.applications, 'hello'), folder, undefined, tls) },
    nodeHttps(context, tls),
  ];
}

/**
 * Node's own HTTPS server answering hello world: one `TLSSocket` per connection, as httpsys wraps its
 * accepted sockets, so its CPU per handshake is the floor of any TLS terminator written on Node and
 * httpsys' own share is the difference.
 */
function nodeHttps(context: BenchContext, tls: BenchCertificate): Contender {
  const script = join(context.work, `hello-https-${basename(tls.certFile, '.pem')}.js`);
  writeFileSync(
    script,
    `const { readFileSync } = require('fs');
const options = { cert: readFileSync(${JSON.stringify(tls.certFile)}), key: readFileSync(${JSON.stringify(tls.keyFile)}), minVersion: 'TLSv1.2' };
const server = require('https').createServer(options, (req, res) => { res.end('hello world'); });
server.keepAliveTimeout = 120000;
server.listen(process.env.PORT);
`,
  );
  return { name: 'node https', create: (port, folder) => new NodeServer('node https', port, script, folder) };
}

/** Handshakes per second of poolhost and nginx with the same certificate, rounds interleaved; the target is poolhost ÷ nginx. */
let comparisons = 0;

async function compareHandshakes(context: BenchContext, tls: BenchCertificate, options: { scenario: string; resumed: boolean; target: string; minimum: number }): Promise<void> {
  console.log(`\n${options.scenario}`);
  comparisons++;
  const servers: StartableServer[] = [];
  try {
    for (const contender of httpsContenders(context, tls)) {
      // A folder per comparison: a scenario may compare twice (full, resumed); run directories must stay short.
      const server = contender.create(await freePort(), join(context.work, `handshakes${comparisons}`, contender.name.replace(/\W+/g, '-')));
      servers.push(server);
      await server.start();
      await waitUntil(`${contender.name} over https`, async () => (await get(server.port, '/', 5_000, true)).status === 200, 30_000, 50);
    }
    const runs: number[][] = servers.map(() => []);
    // CPU per handshake, of the whole tree and of the listener alone: on a shared machine the handshakes per
    // second follow the neighbours' load, the CPU each one costs much less.
    const treeCpu: number[][] = servers.map(() => []);
    const listenerCpu: number[][] = servers.map(() => []);
    for (let round = 0; round < context.rounds; round++) {
      for (let k = 0; k < servers.length; k++) {
        const index = (k + round) % servers.length;
        const monitor = new TreeMonitor(() => servers[index]!.roots());
        monitor.start();
        const { perSecond, connections } = await handshakesPerSecond(servers[index]!.port, context.seconds, 4, options.resumed);
        monitor.stop();
        runs[index]!.push(perSecond);
        treeCpu[index]!.push((monitor.cpuSeconds * 1e6) / Math.max(1, connections));
        listenerCpu[index]!.push((monitor.listenerCpuSeconds * 1e6) / Math.max(1, connections));
      }
    }
    // poolhost ÷ each other contender; the target is against nginx (the second).
    const ratios = runs.map((run) => median(runs[0]!.map((value, i) => value / run[i]!)));
    const ratio = ratios[1]!;
    servers.forEach((server, i) =>
      context.report.add({
        scenario: options.scenario,
        server: server.name,
        requestsPerSecond: median(runs[i]!),
        cpuMicrosecondsPerRequest: median(treeCpu[i]!),
        listenerCpuMicroseconds: median(listenerCpu[i]!),
        ratio: i === 0 ? '' : `${fixed(ratios[i]!, 2)}×`,
        note: `${options.resumed ? 'resumed handshakes (with one request each)' : 'handshakes'}/s and CPU µs per handshake; rounds: ${runs[i]!.map((v) => fixed(v, 0)).join(', ')}`,
      }),
    );
    context.report.target(`${options.target} ≥ ${options.minimum}× nginx→node`, `${fixed(ratio, 2)}×`, ratio >= options.minimum);
  } finally {
    for (const server of servers) await server.stop();
  }
}

/** HTTPS: poolhost's httpsys terminating TLS beside nginx (1 worker) terminating it and proxying to Node over a Unix socket. */
export async function httpsScenario(context: BenchContext): Promise<void> {
  const tls = benchCertificate(context, 'ecdsa');
  const name = 'HTTPS hello world, keep-alive';
  const result = await runThroughput(context, { name, path: '/', https: true, contenders: httpsContenders(context, tls) });
  reportThroughput(context, result, name);
  ratioTarget(context, result, 'nginx→node', 1.1, 'HTTPS hello world throughput');
  const p99 = result.ratios.get('nginx→node')!.p99;
  context.report.target('HTTPS hello world p99 ≤ nginx→node p99', `nginx p99 ÷ poolhost p99 = ${fixed(p99, 2)}`, p99 >= 1);
  await compareHandshakes(context, tls, {
    scenario: 'new TLS handshakes/s (ECDSA P-256, no resumption, 4 s_time clients)',
    resumed: false,
    target: 'new TLS handshakes/s (ECDSA P-256)',
    minimum: 0.8,
  });
}

/** RSA-2048 handshakes, full and resumed with a session ticket (TLS 1.3), poolhost beside nginx with the same certificate. */
export async function tlsHandshakes(context: BenchContext): Promise<void> {
  const tls = benchCertificate(context, 'rsa');
  await compareHandshakes(context, tls, {
    scenario: 'new TLS handshakes/s (RSA-2048, no resumption, 4 s_time clients)',
    resumed: false,
    target: 'new TLS handshakes/s (RSA-2048)',
    minimum: 0.8,
  });
  await compareHandshakes(context, tls, {
    scenario: 'resumed TLS handshakes/s (RSA-2048, session tickets, 4 s_time clients)',
    resumed: true,
    target: 'resumed TLS handshakes/s (RSA-2048)',
    minimum: 1.0,
  });
}

/**
 * HTTP/2 hello world: h2load -c 50 -m 10 against httpsys speaking h2 (ALPN) beside nginx (1 worker)
 * speaking h2 to clients and HTTP/1.1 to Node over a Unix socket.
 */
export async function http2Scenario(context: BenchContext): Promise<void> {
  ensureDebianPackage('h2load', 'nghttp2-client');
  const tls = benchCertificate(context, 'ecdsa');
  const contenders: Contender[] = [
    { name: 'poolhost', create: (port, folder) => new PoolhostServer('poolhost', port, folder, { ...singlePool(context.applications.hello), tls }) },
    { name: 'nginx→node', create: (port, folder) => new NginxServer('nginx→node', port, scriptOf(context.applications, 'hello'), folder, undefined, tls, true) },
  ];
  const name = 'h2 hello world, h2load -c 50 -m 10';
  const result = await runThroughput(context, { name, path: '/', https: true, connections: 50, h2Streams: 10, contenders });
  reportThroughput(context, result, name);
  ratioTarget(context, result, 'nginx→node', 1.1, 'h2 hello world throughput');
  const p99 = result.ratios.get('nginx→node')!.p99;
  context.report.target('h2 hello world p99 ≤ nginx→node p99', `nginx p99 ÷ poolhost p99 = ${fixed(p99, 2)}`, p99 >= 1);
}

// --- idle memory -------------------------------------------------------------------------------

/**
 * A `--require`d probe (through NODE_OPTIONS, so it reaches the services and the workers): on SIGUSR2
 * it writes `process.memoryUsage()` to `<folder>/<pid>.json`. It loads nothing but `node:fs`.
 */
const MEMORY_PROBE = `'use strict';
process.on('SIGUSR2', () => {
  const usage = process.memoryUsage();
  require('node:fs').writeFileSync(process.env.POOLHOST_BENCH_PROBE_DIR + '/' + process.pid + '.json', JSON.stringify(usage));
});
`;

function statusField(pid: number, field: string): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
    return match ? Number(match[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

function privateBytes(pid: number): number {
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'latin1');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? Number.NaN) * 1024;
    return field('Private_Clean') + field('Private_Dirty');
  } catch {
    return Number.NaN;
  }
}

interface RestSample {
  rss: number;
  anon: number;
  file: number;
  private: number;
  heapUsed: number;
  heapTotal: number;
}

/**
 * What poolhost's services and a hello-world worker hold at rest: `poolhost start` with one OnDemand
 * hello-world pool, one request, then 20 s at rest. RSS (anonymous + file-backed) from
 * /proc/<pid>/status, private pages from smaps_rollup, the V8 heap from the probe. Medians over rounds.
 */
export async function idleMemory(context: BenchContext): Promise<void> {
  console.log('\nidle memory');
  const rounds = context.quick ? 1 : Math.max(3, context.rounds);
  const restSeconds = context.quick ? 3 : 20;
  const samples = new Map<string, RestSample[]>();
  for (let round = 0; round < rounds; round++) {
    const folder = join(context.work, 'idle-memory', String(round));
    const probeDir = join(folder, 'probe');
    mkdirSync(probeDir, { recursive: true });
    const probe = join(folder, 'memory-probe.cjs');
    writeFileSync(probe, MEMORY_PROBE);
    const port = await freePort();
    const env = { NODE_OPTIONS: `--require ${probe}`, POOLHOST_BENCH_PROBE_DIR: probeDir };
    const server = new PoolhostServer('poolhost', port, folder, singlePool(context.applications.hello), env);
    try {
      await server.start();
      const answer = await get(port, '/', 20_000);
      if (answer.status !== 200) throw new Error(`idle memory: the hello-world request answered ${answer.status}`);
      await sleep(restSeconds * 1000);
      const tree = processTree(server.roots());
      for (const entry of tree) {
        try {
          process.kill(entry.pid, 'SIGUSR2');
        } catch {
          // gone meanwhile
        }
      }
      await sleep(500);
      for (const entry of tree) {
        const name = entry.name === 'w3wp' ? 'w3wp (hello world)' : entry.name;
        let heap = { heapUsed: Number.NaN, heapTotal: Number.NaN };
        try {
          heap = JSON.parse(readFileSync(join(probeDir, `${entry.pid}.json`), 'utf8'));
        } catch {
          // no probe answer (not a Node process)
        }
        const sample: RestSample = {
          rss: statusField(entry.pid, 'VmRSS'),
          anon: statusField(entry.pid, 'RssAnon'),
          file: statusField(entry.pid, 'RssFile'),
          private: privateBytes(entry.pid),
          heapUsed: heap.heapUsed,
          heapTotal: heap.heapTotal,
        };
        let list = samples.get(name);
        if (!list) samples.set(name, (list = []));
        list.push(sample);
      }
    } finally {
      await server.stop();
    }
  }
  const scenario = 'idle memory (at rest, hello world served once)';
  const services = ['poolhost', 'httpsys', 'w3svc', 'was', 'inetmgr'];
  let servicesRss = 0;
  const serviceRounds: number[] = Array.from({ length: rounds }, () => 0);
  for (const [name, list] of samples) {
    const m = (key: keyof RestSample) => median(list.map((sample) => sample[key]));
    if (services.includes(name)) {
      servicesRss += m('rss');
      list.forEach((sample, index) => (serviceRounds[index] = (serviceRounds[index] ?? 0) + sample.rss));
    }
    context.report.add({
      scenario,
      server: name,
      peakRssMegabytes: m('rss') / MB,
      note: `anon ${megabytes(m('anon'))} + file ${megabytes(m('file'))} MB; private ${megabytes(m('private'))} MB; heap used/total ${megabytes(m('heapUsed'))}/${megabytes(m('heapTotal'))} MB`,
    });
  }
  context.report.add({ scenario, server: 'the services together', peakRssMegabytes: servicesRss / MB, note: `rounds: ${serviceRounds.map((v) => megabytes(v)).join(', ')} MB` });
  context.report.target('idle memory: the services together < 200 MB RSS at rest', `${megabytes(servicesRss)} MB`, servicesRss < 200 * MB);
}

/**
 * A web farm on one machine (docs/web-farm.md): HAProxy round robin over three poolhost hosts, against
 * HAProxy over three plain Node servers. On 2 cores this is not scaling: the number is the whole farm's
 * CPU per request (HAProxy and every host), whose difference is what poolhost costs behind a balancer.
 */
export async function webFarm(context: BenchContext): Promise<void> {
  ensureDebianPackage('haproxy', 'haproxy');
  const hello = scriptOf(context.applications, 'hello');
  const farm = (name: string, backend: (port: number, folder: string) => StartableServer): Contender => ({
    name,
    create: (port, folder) => new HaproxyFarmServer(name, port, folder, 3, backend),
  });
  const result = await runThroughput(context, {
    name: 'farm of 3',
    path: '/',
    contenders: [
      farm('haproxy→3 poolhost', (port, folder) => new PoolhostServer('poolhost', port, folder, singlePool(context.applications.hello))),
      farm('haproxy→3 node', (port, folder) => new NodeServer('node', port, hello, folder)),
    ],
  });
  reportThroughput(context, result, 'web farm: HAProxy → 3 hosts');
}

// --- raw TCP: net.tcp echo ------------------------------------------------------------------------

const TCP_ECHO_CLIENT = join(repositoryRoot, 'scripts', 'bench', 'tcp-echo-client.mjs');
const TCP_MESSAGE_BYTES = 1024;

/** Runs the tcp-echo load generator in a process of its own; resolves with its JSON line. */
function tcpEchoClient<T>(args: (string | number)[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TCP_ECHO_CLIENT, ...args.map(String)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as T) : reject(new Error(`tcp-echo client exited with ${code}: ${err}`))));
  });
}

/**
 * The two ways an activator can hand a connection to a worker, each alone in plain Node (no poolhost):
 * a parent that accepts and passes every socket to its child over the IPC channel (SCM_RIGHTS, what
 * Node's cluster round-robin does), and a parent that accepts and relays the bytes over a Unix socket
 * to its child (what nettcpactivator does). The child runs the echo application.
 */
function handoverPrototype(folder: string, echoScript: string, mode: 'handover' | 'relay'): string {
  mkdirSync(folder, { recursive: true });
  const script = join(folder, `${mode}.js`);
  writeFileSync(
    script,
    `const net = require('net');
const { fork } = require('child_process');
const path = require('path');
const socketPath = path.join(${JSON.stringify(folder)}, 'child.sock');
if (process.argv[2] === 'child') {
  // The application's listen() is captured as poolhost's worker does: connections are emitted on it.
  let app = null;
  const listen = net.Server.prototype.listen;
  net.Server.prototype.listen = function () { app = this; return this; };
  require(${JSON.stringify(echoScript)});
  net.Server.prototype.listen = listen;
  if (process.argv[3] === 'handover') process.on('message', (message, socket) => { if (socket) { socket.resume(); app.emit('connection', socket); } });
  else { try { require('fs').rmSync(socketPath); } catch {} net.createServer((socket) => app.emit('connection', socket)).listen(socketPath, () => process.send('ready')); }
  if (process.argv[3] === 'handover') process.send('ready');
} else {
  const child = fork(__filename, ['child', ${JSON.stringify(mode)}]);
  child.once('message', () => {
    net.createServer({ pauseOnConnect: true, noDelay: true }, (client) => {
      ${
        mode === 'handover'
          ? "child.send('connection', client);"
          : "const upstream = net.connect(socketPath); const close = () => { client.destroy(); upstream.destroy(); }; client.on('error', close).on('close', close); upstream.on('error', close).on('close', close); client.pipe(upstream); upstream.pipe(client);"
      }
    }).listen(process.env.PORT);
  });
}
`,
  );
  return script;
}

interface EchoRun {
  messagesPerSecond: number;
  cpuMicrosecondsPerMessage: number;
  errors: number;
}

async function tcpEchoRun(server: BenchServer, seconds: number, connections: number): Promise<EchoRun> {
  const monitor = new TreeMonitor(() => server.roots());
  monitor.start();
  const result = await tcpEchoClient<{ messages: number; seconds: number; errors: number }>(['echo', server.port, seconds, connections, TCP_MESSAGE_BYTES]);
  monitor.stop();
  return {
    messagesPerSecond: result.messages / result.seconds,
    cpuMicrosecondsPerMessage: result.messages > 0 ? (monitor.cpuSeconds * 1e6) / result.messages : Number.NaN,
    errors: result.errors,
  };
}

function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))]!;
}

/**
 * TCP echo of 1 KiB messages over `connections` connections (ping-pong), through poolhost's net.tcp
 * activator (sockets handed over, and with POOLHOST_NET_TCP_DATA_PLANE=relay bytes relayed) vs a plain
 * Node `net` server, and connect-to-first-byte on a warm pool (connections one after another). The two
 * handover mechanisms are measured alone too (see handoverPrototype).
 */
export async function tcpEcho(context: BenchContext): Promise<void> {
  const scenario = `tcp echo 1 KiB × ${context.connections} connections`;
  console.log(`\n${scenario}`);
  const echoScript = scriptOf(context.applications, 'echo');
  const folder = join(context.work, 'tcp-echo');
  const servers: StartableServer[] = [
    new PoolhostServer('poolhost', await freePort(), join(folder, 'poolhost'), { ...singlePool(context.applications.echo), netTcp: true }),
    new PoolhostServer('poolhost, bytes relayed', await freePort(), join(folder, 'relayed'), { ...singlePool(context.applications.echo), netTcp: true }, { POOLHOST_NET_TCP_DATA_PLANE: 'relay' }),
    new NodeServer('node', await freePort(), echoScript, join(folder, 'node')),
    new NodeServer('node: parent passes each socket to child (SCM_RIGHTS)', await freePort(), handoverPrototype(join(folder, 'handover'), echoScript, 'handover'), join(folder, 'handover')),
    new NodeServer('node: parent relays bytes to child (Unix socket)', await freePort(), handoverPrototype(join(folder, 'relay'), echoScript, 'relay'), join(folder, 'relay')),
  ];
  const firstByteCount = context.quick ? 100 : 400;
  try {
    for (const server of servers) {
      console.log(`  starting ${server.name}`);
      await server.start();
      // Warm-up: the demand-started worker, JIT on both sides.
      await tcpEchoRun(server, context.warmupSeconds, context.connections);
      await tcpEchoClient(['first-byte', server.port, 50, TCP_MESSAGE_BYTES]);
    }
    const runs = new Map<string, EchoRun[]>(servers.map((server) => [server.name, []]));
    const firstBytes = new Map<string, number[]>(servers.map((server) => [server.name, []]));
    const firstByteErrors = new Map<string, number>();
    for (let round = 0; round < context.rounds; round++) {
      for (let k = 0; k < servers.length; k++) {
        const server = servers[(k + round) % servers.length]!;
        runs.get(server.name)!.push(await tcpEchoRun(server, context.seconds, context.connections));
        const { samplesMs, errors } = await tcpEchoClient<{ samplesMs: number[]; errors: number }>(['first-byte', server.port, firstByteCount, TCP_MESSAGE_BYTES]);
        firstBytes.get(server.name)!.push(...samplesMs);
        firstByteErrors.set(server.name, (firstByteErrors.get(server.name) ?? 0) + errors);
      }
    }
    const node = runs.get('node')!;
    const subject = runs.get('poolhost')!;
    const nodeFirstByte = median(firstBytes.get('node')!);
    for (const server of servers) {
      const list = runs.get(server.name)!;
      const samples = firstBytes.get(server.name)!;
      const ratio = median(list.map((run, i) => run.messagesPerSecond / node[i]!.messagesPerSecond));
      const poolhostRatio = median(list.map((run, i) => subject[i]!.messagesPerSecond / run.messagesPerSecond));
      context.report.add({
        scenario,
        server: server.name,
        requestsPerSecond: median(list.map((run) => run.messagesPerSecond)),
        cpuMicrosecondsPerRequest: median(list.map((run) => run.cpuMicrosecondsPerMessage)),
        p50Ms: median(samples),
        p99Ms: percentile(samples, 0.99),
        errors: list.reduce((sum, run) => sum + run.errors, 0) + (firstByteErrors.get(server.name) ?? 0),
        ratio: server.name === 'poolhost' ? '' : `${fixed(poolhostRatio, 2)}×`,
        note:
          `messages/s; CPU µs per message (whole tree); p50/p99: connect-to-first-byte over ${samples.length} connections` +
          (server.name === 'node' ? '' : `; throughput ${fixed(ratio, 2)}× node's, connect-to-first-byte ${fixed(median(samples) / nodeFirstByte, 2)}× node's`),
      });
    }
    const poolhostRatio = median(runs.get('poolhost')!.map((run, i) => run.messagesPerSecond / node[i]!.messagesPerSecond));
    const poolhostFirstByte = median(firstBytes.get('poolhost')!);
    context.report.target('tcp echo throughput ≥ 1.0× node (sockets handed over)', `${fixed(poolhostRatio, 2)}×`, poolhostRatio >= 1.0);
    context.report.target('tcp connect-to-first-byte (warm pool) ≤ 1.2× node', `${fixed(poolhostFirstByte, 2)} ms vs ${fixed(nodeFirstByte, 2)} ms (${fixed(poolhostFirstByte / nodeFirstByte, 2)}×)`, poolhostFirstByte <= 1.2 * nodeFirstByte);
  } finally {
    for (const server of servers) await server.stop();
  }
}

export const scenarios: Record<string, (context: BenchContext) => Promise<void>> = {
  hello: helloWorld,
  https: httpsScenario,
  handshakes: tlsHandshakes,
  'idle-tls': idleTlsConnections,
  h2: http2Scenario,
  metrics: metricsScraped,
  scrape: scrapeCost,
  garden: webGarden,
  express: expressApp,
  static: staticFile,
  cache: kernelCache,
  stream: streamedResponse,
  post: postBody,
  apps: manyApplications,
  modules: moduleSet,
  'cold-start': coldStart,
  crash: crashReplacement,
  recycle: recycleUnderLoad,
  idle: idleConnections,
  'idle-memory': idleMemory,
  bulk: bulkTransfers,
  farm: webFarm,
  'tcp-echo': tcpEcho,
};

