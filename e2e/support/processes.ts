// Finds an instance's processes through /proc: services carry the run directory on their command
// line or in their environment, workers in POOLHOST_RUN_DIR.
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessInfo {
  pid: number;
  role: 'poolhost' | 'httpsys' | 'w3svc' | 'was' | 'w3wp' | 'other';
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

function roleOf(commandLine: string[]): ProcessInfo['role'] {
  const script = commandLine.find((part) => part.endsWith('.js')) ?? '';
  for (const role of ['httpsys', 'w3svc', 'was', 'w3wp', 'poolhost'] as const) {
    if (script.endsWith(`/${role}.js`)) return role;
  }
  return 'other';
}

export function processesOfRunDirectory(runDirectory: string): ProcessInfo[] {
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
      environment.includes(`POOLHOST_RUN_DIR=${runDirectory}`);
    if (!mentions) continue;
    // A zombie has no command line; a stopped or running process does.
    const status = readFileSync(`/proc/${entry}/stat`, 'latin1');
    if (/\) Z /.test(status)) continue;
    const role = roleOf(commandLine);
    if (role === 'other') continue;
    const pool = environment.find((variable) => variable.startsWith('APP_POOL_ID='))?.slice('APP_POOL_ID='.length);
    found.push({ pid, role, commandLine, ...(pool !== undefined && role === 'w3wp' ? { applicationPool: pool } : {}) });
  }
  return found;
}

/** Waits until no process of the run directory is left; returns those still there at the deadline. */
export async function waitForNoProcesses(runDirectory: string, timeoutMs: number): Promise<ProcessInfo[]> {
  const deadline = Date.now() + timeoutMs;
  let left = processesOfRunDirectory(runDirectory);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    left = processesOfRunDirectory(runDirectory);
  }
  return left;
}
