// Memory of a worker process, for periodicRestart@memory (virtual bytes, IIS event 5077) and
// @privateMemory (private bytes, 5117). Linux mapping of the Windows counters:
//   virtual bytes  -> VmSize in /proc/<pid>/status (the whole address space, reserved or not);
//   private bytes  -> RssAnon + VmSwap in /proc/<pid>/status (anonymous memory the process alone
//                     owns, resident or swapped out; file-backed pages such as the node binary are
//                     shared and not counted, like Windows' private bytes).
// Where /proc cannot be read, pidusage's resident set size stands in for private bytes and virtual
// bytes are not sampled.
import { readFile } from 'node:fs/promises';
import pidusage from 'pidusage';

export interface MemorySample {
  /** KB, like periodicRestart@memory; undefined when it cannot be measured here. */
  virtualKb?: number;
  /** KB, like periodicRestart@privateMemory. */
  privateKb: number;
}

export interface MemorySampler {
  sample(pid: number): Promise<MemorySample>;
}

/** Reads the `Name:   1234 kB` fields of /proc/<pid>/status. */
export function parseProcStatus(text: string): Record<string, number> {
  const fields: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const match = /^(\w+):\s+(\d+)\s*kB$/.exec(line.trim());
    if (match) fields[match[1]!] = Number(match[2]);
  }
  return fields;
}

export function memoryFromProcStatus(text: string): MemorySample | null {
  const fields = parseProcStatus(text);
  if (fields.VmSize === undefined || fields.RssAnon === undefined) return null;
  return { virtualKb: fields.VmSize, privateKb: fields.RssAnon + (fields.VmSwap ?? 0) };
}

export const procMemorySampler: MemorySampler = {
  async sample(pid) {
    try {
      const sample = memoryFromProcStatus(await readFile(`/proc/${pid}/status`, 'utf8'));
      if (sample) return sample;
    } catch {
      // not Linux, or the process is gone: fall through to pidusage
    }
    const stats = await pidusage(pid);
    return { privateKb: Math.round(stats.memory / 1024) };
  },
};
