// Reading and writing cgroup control files. A failed write names the file and the value, since the
// kernel's EINVAL says neither.
import { readFileSync, writeFileSync } from 'node:fs';

export function readCgroupFile(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

export function writeCgroupFile(path: string, value: string): void {
  try {
    writeFileSync(path, value);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new Error(`could not write '${value}' to ${path} (${code})`, { cause: error });
  }
}

/** A number file (cpuacct.usage, memory.current, pids.current); null when absent or unreadable. */
export function readCgroupNumber(path: string): number | null {
  const text = readCgroupFile(path)?.trim();
  if (text === undefined || text === '') return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

/** A flat-keyed file (cpu.stat, memory.events, memory.oom_control, pids.events): `key value` per line. */
export function readCgroupKey(path: string, key: string): number | null {
  const text = readCgroupFile(path);
  if (text === null) return null;
  for (const line of text.split('\n')) {
    const [name, value] = line.split(' ');
    if (name === key) return Number(value);
  }
  return null;
}
