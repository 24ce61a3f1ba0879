// CPU time and memory of a server's whole process tree, read from /proc: every descendant of the
// server's root processes counts (poolhost's services and w3wp workers, nginx's workers, PM2's God
// daemon and instances). Processes that exit during a measurement keep their last sample.
import { readdirSync, readFileSync } from 'node:fs';

const CLOCK_TICKS = 100; // USER_HZ on Linux

export interface ProcessSample {
  pid: number;
  name: string;
  cpuTicks: number;
  rssBytes: number;
}

function readStat(pid: number): { ppid: number; name: string; cpuTicks: number; rssPages: number } | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return null;
  }
  const close = text.lastIndexOf(')');
  const name = text.slice(text.indexOf('(') + 1, close);
  const fields = text.slice(close + 2).split(' ');
  // fields[0] is field 3 (state): ppid = 4, utime = 14, stime = 15, rss = 24
  return { ppid: Number(fields[1]), name, cpuTicks: Number(fields[11]) + Number(fields[12]), rssPages: Number(fields[21]) };
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').replaceAll('\0', ' ').trim();
  } catch {
    return '';
  }
}

/** The roots and all their descendants, alive now. */
export function processTree(roots: readonly number[]): ProcessSample[] {
  const children = new Map<number, number[]>();
  const stats = new Map<number, ReturnType<typeof readStat>>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const stat = readStat(pid);
    if (!stat) continue;
    stats.set(pid, stat);
    let list = children.get(stat.ppid);
    if (!list) children.set(stat.ppid, (list = []));
    list.push(pid);
  }
  const out: ProcessSample[] = [];
  const pending = [...roots];
  const seen = new Set<number>();
  while (pending.length > 0) {
    const pid = pending.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    const stat = stats.get(pid);
    if (!stat) continue;
    out.push({ pid, name: describe(pid, stat.name), cpuTicks: stat.cpuTicks, rssBytes: stat.rssPages * 4096 });
    for (const child of children.get(pid) ?? []) pending.push(child);
  }
  return out;
}

/** The process that terminates the clients' connections: poolhost's httpsys, nginx's worker. */
function isListener(name: string): boolean {
  return name === 'httpsys' || name.startsWith('nginx: worker');
}

/** A short role name: `httpsys`, `w3wp`, `nginx: worker process`, `node app.js`… */
function describe(pid: number, comm: string): string {
  const cmd = commandLine(pid);
  // poolhost's processes set process.title: `poolhost: httpsys`, `w3wp -ap "Pool"` (or run from dist/<bin>.js).
  const poolhost = /^poolhost: (\w+)/.exec(cmd) ?? /^(w3wp)\b/.exec(cmd) ?? /dist\/(\w+)\.js/.exec(cmd);
  if (poolhost) return poolhost[1]!;
  if (cmd.startsWith('poolhost')) return 'poolhost';
  if (cmd.startsWith('nginx')) return cmd.split(' -')[0]!;
  if (cmd.includes('PM2')) return 'pm2 daemon';
  return comm;
}

/**
 * Samples a process tree every `intervalMs` between start() and stop(): CPU seconds used by all of it,
 * the peak of the summed RSS, and the peak RSS (and growth over the first sample) of each process.
 */
export class TreeMonitor {
  private readonly firstTicks = new Map<number, number>();
  private readonly lastTicks = new Map<number, number>();
  readonly firstRss = new Map<number, number>();
  readonly peakRss = new Map<number, number>();
  readonly names = new Map<number, string>();
  peakTotalRss = 0;
  private sampled = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly roots: () => readonly number[], private readonly intervalMs = 100) {}

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.sample();
  }

  sample(): void {
    let total = 0;
    for (const process of processTree(this.roots())) {
      if (!this.firstTicks.has(process.pid)) {
        // A process born during the measurement counts from its birth.
        this.firstTicks.set(process.pid, this.sampled ? 0 : process.cpuTicks);
        this.firstRss.set(process.pid, process.rssBytes);
        this.names.set(process.pid, process.name);
      }
      this.lastTicks.set(process.pid, process.cpuTicks);
      this.peakRss.set(process.pid, Math.max(this.peakRss.get(process.pid) ?? 0, process.rssBytes));
      total += process.rssBytes;
    }
    this.sampled = true;
    this.peakTotalRss = Math.max(this.peakTotalRss, total);
  }

  /** CPU seconds used by the tree between start() and stop(). */
  get cpuSeconds(): number {
    let ticks = 0;
    for (const [pid, last] of this.lastTicks) ticks += last - (this.firstTicks.get(pid) ?? 0);
    return ticks / CLOCK_TICKS;
  }

  /**
   * CPU seconds used between start() and stop() by the process that terminates the clients' connections
   * (isListener); a server of one process (plain Node) is its own listener. NaN when there is none.
   */
  get listenerCpuSeconds(): number {
    let ticks = 0;
    let found = false;
    for (const [pid, last] of this.lastTicks) {
      if (!isListener(this.names.get(pid)!)) continue;
      found = true;
      ticks += last - (this.firstTicks.get(pid) ?? 0);
    }
    if (found) return ticks / CLOCK_TICKS;
    return this.lastTicks.size === 1 ? this.cpuSeconds : Number.NaN;
  }

  /** CPU seconds used between start() and stop(), summed by role name (httpsys, was, w3svc, w3wp, inetmgr…). */
  cpuSecondsByName(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [pid, last] of this.lastTicks) {
      const name = this.names.get(pid)!;
      out.set(name, (out.get(name) ?? 0) + (last - (this.firstTicks.get(pid) ?? 0)) / CLOCK_TICKS);
    }
    return out;
  }

  /** Per process: name, peak RSS and growth of RSS over its first sample. */
  perProcess(): { pid: number; name: string; peakRss: number; growth: number }[] {
    return [...this.peakRss].map(([pid, peak]) => ({ pid, name: this.names.get(pid)!, peakRss: peak, growth: peak - this.firstRss.get(pid)! }));
  }
}
