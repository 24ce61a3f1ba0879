// Finds an instance's processes through /proc: services carry the run directory on their command
// line or in their environment, workers in POOLHOST_RUN_DIR.
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessInfo {
  pid: number;
  role: 'poolhost' | 'httpsys' | 'w3svc' | 'was' | 'w3wp' | 'nettcpactivator' | 'other';
  applicationPool?: string;
  commandLine: string[];
}

function readNulSeparated(path: string): string[] | null {
  try {
    return readFileSync(path, 'latin1').split('\0').filter((part) => part.length > 0);
  } catch {
    return null;
  }
}

const roles = ['httpsys', 'w3svc', 'was', 'w3wp', 'poolhost', 'nettcpactivator'] as const;

/** Services set process.title (`poolhost: was`, `poolhost: w3wp Pool`), which replaces their command line. */
function roleOf(commandLine: string[]): ProcessInfo['role'] {
  const title = (commandLine[0] ?? '').trim();
  if (title === 'poolhost') return 'poolhost';
  const titled = /^poolhost: (\S+)/.exec(title)?.[1];
  for (const role of roles) if (titled === role) return role;
  const script = commandLine.find((part) => part.endsWith('.js')) ?? '';
  for (const role of roles) if (script.endsWith(`/${role}.js`)) return role;
  return 'other';
}

/** `poolhost: w3wp <pool>` → the pool; a spare (`poolhost: w3wp (spare)`) has none. */
function poolOfTitle(title: string): string | undefined {
  const pool = /^poolhost: w3wp (.+)$/.exec(title.trim())?.[1];
  return pool === undefined || pool === '(spare)' ? undefined : pool;
}

/**
 * The processes of one instance: those whose command line or environment names its run directory,
 * plus `extraPids` (the `poolhost` process itself, whose run directory is an argument its title hides).
 */
export function processesOfRunDirectory(runDirectory: string, extraPids: number[] = []): ProcessInfo[] {
  const found: ProcessInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    const commandLine = readNulSeparated(`/proc/${entry}/cmdline`);
    if (!commandLine || commandLine.length === 0) continue;
    const environment = readNulSeparated(`/proc/${entry}/environ`) ?? [];
    const mentions =
      commandLine.includes(runDirectory) ||
      environment.includes(`POOLHOST_RUN_DIR=${runDirectory}`) ||
      extraPids.includes(pid);
    if (!mentions) continue;
    // A zombie has no command line; a stopped or running process does.
    const status = readFileSync(`/proc/${entry}/stat`, 'latin1');
    if (/\) Z /.test(status)) continue;
    const role = roleOf(commandLine);
    if (role === 'other') continue;
    // A worker that was a spare got its pool after it started: its environ (as exec'd) has none, its title has it.
    const pool =
      environment.find((variable) => variable.startsWith('APP_POOL_ID='))?.slice('APP_POOL_ID='.length) ?? poolOfTitle(commandLine[0] ?? '');
    found.push({ pid, role, commandLine, ...(pool !== undefined && role === 'w3wp' ? { applicationPool: pool } : {}) });
  }
  return found;
}

/** Waits until no process of the run directory is left; returns those still there at the deadline. */
export async function waitForNoProcesses(runDirectory: string, timeoutMs: number, extraPids: number[] = []): Promise<ProcessInfo[]> {
  const deadline = Date.now() + timeoutMs;
  let left = processesOfRunDirectory(runDirectory, extraPids);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    left = processesOfRunDirectory(runDirectory, extraPids);
  }
  return left;
}
