// Throughput scenarios: every contender is started once, then wrk runs against them in turn, the order
// rotated each round (A B C, B C A, C A B …) so that drift of a shared machine lands on all of them.
// Ratios are medians of the per-round ratios: each compares two runs seconds apart.
import { join } from 'node:path';
import { runH2load, runWrk, type LoadResult } from './load-generator.js';
import { TreeMonitor } from './process-stats.js';
import { freePort, get, waitUntil, type BenchServer } from './servers.js';
import { median } from './statistics.js';
import type { BenchContext } from './context.js';

export interface StartableServer extends BenchServer {
  start(): Promise<void>;
  /** Called before each measurement of this contender (e.g. a shared instance switched to this contender's mode). */
  beforeMeasure?(): void;
}

export interface Contender {
  name: string;
  create(port: number, folder: string): StartableServer;
  /** After warm-up, e.g. wait until a web garden has both workers. */
  ready?(server: StartableServer): Promise<void>;
}

export interface ThroughputScenario {
  name: string;
  path: string;
  postBytes?: number;
  connections?: number;
  /** Over TLS (the contenders terminate it). */
  https?: boolean;
  /** Over HTTP/2 with h2load instead of wrk: this many concurrent streams per connection (`-m`; implies https). */
  h2Streams?: number;
  /** contenders[0] is the subject; ratios are subject ÷ each other contender. */
  contenders: Contender[];
}

export interface Measurement extends LoadResult {
  cpuMicrosecondsPerRequest: number;
  /** The listener process alone (httpsys, nginx's worker): the fair comparison on a shared machine. NaN: none. */
  listenerCpuMicrosecondsPerRequest: number;
  peakRssBytes: number;
  /** CPU µs per request of each role in the tree (httpsys, w3wp, inetmgr…): where a difference comes from. */
  cpuMicrosecondsByProcess: Map<string, number>;
}

export interface ThroughputResult {
  name: string;
  medians: Map<string, Measurement>;
  /** Per other contender: median over rounds of subject req/s ÷ its req/s, and of its p99 ÷ subject's. */
  ratios: Map<string, { throughput: number; p99: number }>;
}

async function measure(context: BenchContext, server: BenchServer, scenario: ThroughputScenario, seconds: number): Promise<Measurement> {
  const monitor = new TreeMonitor(() => server.roots());
  monitor.start();
  const url = `${scenario.https || scenario.h2Streams ? 'https' : 'http'}://127.0.0.1:${server.port}${scenario.path}`;
  const connections = scenario.connections ?? context.connections;
  const result = scenario.h2Streams
    ? await runH2load({ url, clients: connections, streams: scenario.h2Streams, seconds, workDirectory: context.work })
    : await runWrk({ url, connections, seconds, postBytes: scenario.postBytes, workDirectory: context.work });
  monitor.stop();
  return {
    ...result,
    cpuMicrosecondsPerRequest: result.requests > 0 ? (monitor.cpuSeconds * 1e6) / result.requests : Number.NaN,
    listenerCpuMicrosecondsPerRequest: result.requests > 0 ? (monitor.listenerCpuSeconds * 1e6) / result.requests : Number.NaN,
    peakRssBytes: monitor.peakTotalRss,
    cpuMicrosecondsByProcess: new Map([...monitor.cpuSecondsByName()].map(([name, seconds]) => [name, result.requests > 0 ? (seconds * 1e6) / result.requests : Number.NaN])),
  };
}

export async function runThroughput(context: BenchContext, scenario: ThroughputScenario): Promise<ThroughputResult> {
  console.log(`\n${scenario.name}`);
  const servers: StartableServer[] = [];
  try {
    for (const contender of scenario.contenders) {
      const server = contender.create(await freePort(), join(context.work, slug(scenario.name), slug(contender.name)));
      servers.push(server);
      await server.start();
      await waitUntil(`${contender.name} to answer ${scenario.path}`, async () => (await get(server.port, scenario.path, 5_000, scenario.https === true)).status < 400, 30_000, 50);
    }
    // Warm-up: JIT, demand-started workers, connection pools (--quick: only where load is needed to get ready).
    for (let i = 0; i < servers.length; i++) {
      const contender = scenario.contenders[i]!;
      servers[i]!.beforeMeasure?.();
      if (!context.quick || contender.ready) await measure(context, servers[i]!, scenario, context.warmupSeconds);
      await contender.ready?.(servers[i]!);
    }
    const runs = new Map<string, Measurement[]>(scenario.contenders.map((contender) => [contender.name, []]));
    for (let round = 0; round < context.rounds; round++) {
      for (let k = 0; k < servers.length; k++) {
        const index = (k + round) % servers.length;
        servers[index]!.beforeMeasure?.();
        const measurement = await measure(context, servers[index]!, scenario, context.seconds);
        runs.get(scenario.contenders[index]!.name)!.push(measurement);
      }
    }
    const medians = new Map<string, Measurement>();
    for (const [name, list] of runs) {
      medians.set(name, {
        requestsPerSecond: median(list.map((m) => m.requestsPerSecond)),
        requests: median(list.map((m) => m.requests)),
        p50Ms: median(list.map((m) => m.p50Ms)),
        p99Ms: median(list.map((m) => m.p99Ms)),
        errors: list.reduce((sum, m) => sum + m.errors, 0),
        seconds: median(list.map((m) => m.seconds)),
        cpuMicrosecondsPerRequest: median(list.map((m) => m.cpuMicrosecondsPerRequest)),
        listenerCpuMicrosecondsPerRequest: median(list.map((m) => m.listenerCpuMicrosecondsPerRequest)),
        peakRssBytes: Math.max(...list.map((m) => m.peakRssBytes)),
        cpuMicrosecondsByProcess: new Map([...new Set(list.flatMap((m) => [...m.cpuMicrosecondsByProcess.keys()]))].map((role) => [role, median(list.map((m) => m.cpuMicrosecondsByProcess.get(role) ?? 0))])),
      });
    }
    const subject = runs.get(scenario.contenders[0]!.name)!;
    const ratios = new Map<string, { throughput: number; p99: number }>();
    for (const contender of scenario.contenders.slice(1)) {
      const other = runs.get(contender.name)!;
      const perRound = subject.map((m, i) => m.requestsPerSecond / other[i]!.requestsPerSecond);
      // The spread is what tells a real difference from the machine's noise.
      if (perRound.length > 1) console.log(`  ${scenario.contenders[0]!.name} ÷ ${contender.name}, per round: ${perRound.map((ratio) => ratio.toFixed(3)).join(' ')}`);
      ratios.set(contender.name, {
        throughput: median(subject.map((m, i) => m.requestsPerSecond / other[i]!.requestsPerSecond)),
        p99: median(subject.map((m, i) => other[i]!.p99Ms / m.p99Ms)),
      });
    }
    return { name: scenario.name, medians, ratios };
  } finally {
    for (const server of servers) await server.stop();
  }
}

/** A folder name from a label, short enough that the run directory below it stays within poolhost's Unix-socket path limit. */
function slug(label: string): string {
  return label.replace(/\W+/g, '-').slice(0, 20);
}
