// Each worker's CPU and resident memory, read from /proc/<pid>/stat when a snapshot is taken: one
// small read per worker, no child process and no file kept open. (pidusage did the same reading, but
// also re-read /proc/uptime on every call and ran `getconf` twice the first time; see docs/performance.md,
// "Metrics on".) The clock tick and page size come from the kernel's auxiliary vector, which is
// what sysconf(_SC_CLK_TCK) and sysconf(_SC_PAGESIZE) read.
import { readFileSync } from 'node:fs';

export interface ProcessUsage {
  /** CPU % since the previous reading (100 = one core); since the process started on the first. */
  cpuPercent: number;
  /** Resident set size, bytes. */
  memoryBytes: number;
}

export interface AuxiliaryValues {
  clockTicks: number;
  pageSize: number;
}

const AT_PAGESZ = 6;
const AT_CLKTCK = 17;

/** AT_CLKTCK and AT_PAGESZ of /proc/self/auxv (pairs of native words); Linux's usual 100 and 4096 when it cannot be read. */
export function auxiliaryValues(auxv: Buffer | null, wordBytes: 4 | 8): AuxiliaryValues {
  const values: AuxiliaryValues = { clockTicks: 100, pageSize: 4096 };
  if (!auxv) return values;
  for (let offset = 0; offset + 2 * wordBytes <= auxv.length; offset += 2 * wordBytes) {
    const key = wordBytes === 8 ? Number(auxv.readBigUInt64LE(offset)) : auxv.readUInt32LE(offset);
    const value = wordBytes === 8 ? Number(auxv.readBigUInt64LE(offset + 8)) : auxv.readUInt32LE(offset + 4);
    if (key === 0) break;
    if (key === AT_CLKTCK && value > 0) values.clockTicks = value;
    if (key === AT_PAGESZ && value > 0) values.pageSize = value;
  }
  return values;
}

/** utime + stime (ticks), starttime (ticks since boot) and rss (pages) of a /proc/<pid>/stat line. */
export function parseProcStat(text: string): { cpuTicks: number; startTicks: number; rssPages: number } | null {
  // The command name (field 2) is in parentheses and may hold spaces or parentheses itself.
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  const fields = text.slice(close + 2).split(' ');
  // fields[0] is field 3 (state): utime = 14, stime = 15, starttime = 22, rss = 24.
  const cpuTicks = Number(fields[11]) + Number(fields[12]);
  const startTicks = Number(fields[19]);
  const rssPages = Number(fields[21]);
  if (!Number.isFinite(cpuTicks) || !Number.isFinite(startTicks) || !Number.isFinite(rssPages)) return null;
  return { cpuTicks, startTicks, rssPages };
}

function readOrNull(path: string): Buffer | null {
  try {
    return readFileSync(path);
  } catch {
    return null;
  }
}

/** Reads processes' usage, keeping each one's previous CPU ticks for the next reading's CPU %. */
export class ProcessUsageReader {
  private readonly previous = new Map<number, { cpuTicks: number; at: number }>();

  constructor(
    private readonly readStat: (pid: number) => string | null = (pid) => readOrNull(`/proc/${pid}/stat`)?.toString('latin1') ?? null,
    private readonly uptimeSeconds: () => number = () => Number(readOrNull('/proc/uptime')?.toString('latin1').split(' ')[0] ?? Number.NaN),
    private readonly now: () => number = () => performance.now(),
    private readonly system: AuxiliaryValues = auxiliaryValues(readOrNull('/proc/self/auxv'), process.arch === 'arm' || process.arch === 'ia32' ? 4 : 8),
  ) {}

  /** The listed processes' usage; a process that is gone is left out, and forgotten. */
  read(pids: readonly number[]): Map<number, ProcessUsage> {
    const usage = new Map<number, ProcessUsage>();
    const at = this.now();
    let uptime: number | undefined;
    for (const pid of pids) {
      const text = this.readStat(pid);
      const stat = text === null ? null : parseProcStat(text);
      if (!stat) continue;
      const before = this.previous.get(pid);
      let cpuSeconds: number;
      let elapsedSeconds: number;
      if (before) {
        cpuSeconds = (stat.cpuTicks - before.cpuTicks) / this.system.clockTicks;
        elapsedSeconds = (at - before.at) / 1000;
      } else {
        // The first reading: the average since the process started, as pidusage gave.
        uptime ??= this.uptimeSeconds();
        cpuSeconds = stat.cpuTicks / this.system.clockTicks;
        elapsedSeconds = uptime - stat.startTicks / this.system.clockTicks;
      }
      this.previous.set(pid, { cpuTicks: stat.cpuTicks, at });
      usage.set(pid, {
        cpuPercent: elapsedSeconds > 0 && Number.isFinite(elapsedSeconds) ? (cpuSeconds / elapsedSeconds) * 100 : 0,
        memoryBytes: stat.rssPages * this.system.pageSize,
      });
    }
    for (const pid of this.previous.keys()) if (!usage.has(pid)) this.previous.delete(pid);
    return usage;
  }
}
