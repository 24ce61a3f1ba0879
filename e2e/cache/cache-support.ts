// Helpers of the kernel response cache suite: a site, the W3C lines of a URL, the cache state.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PoolhostInstance } from '../support/poolhost-instance.js';

/** The records of the site's W3C log (fields by name), of every file written so far. */
export function w3cRecords(poolhost: PoolhostInstance, siteId = 1): Array<Record<string, string>> {
  const now = new Date();
  const name = `u_ex${String(now.getUTCFullYear() % 100).padStart(2, '0')}${String(now.getUTCMonth() + 1).padStart(2, '0')}${String(now.getUTCDate()).padStart(2, '0')}.log`;
  const file = join(poolhost.root, 'logs', 'LogFiles', `W3SVC${siteId}`, name);
  if (!existsSync(file)) return [];
  const records: Array<Record<string, string>> = [];
  let fields: string[] = [];
  for (const line of readFileSync(file, 'utf8').split('\r\n')) {
    if (line.startsWith('#Fields: ')) fields = line.slice('#Fields: '.length).split(' ');
    else if (line && !line.startsWith('#')) records.push(Object.fromEntries(line.split(' ').map((value, index) => [fields[index], value])));
  }
  return records;
}

/** `poolhost http show cachestate` parsed into one record per URL block. */
export async function cacheState(poolhost: PoolhostInstance, url?: string): Promise<{ text: string; entries: Array<Record<string, string>> }> {
  const result = await poolhost.cli('http', 'show', 'cachestate', ...(url ? [`url=${url}`] : []));
  if (result.code !== 0) throw new Error(`http show cachestate: exit ${result.code}: ${result.stderr}`);
  const entries: Array<Record<string, string>> = [];
  for (const block of result.stdout.split(/\n(?=URL: )/).slice(1)) {
    entries.push(Object.fromEntries(block.trim().split('\n').map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)])));
  }
  return { text: result.stdout, entries };
}

/** Runs `body` with every worker of the pool stopped (SIGSTOP), and continues them after, whatever happens. */
export async function withWorkersStopped<T>(poolhost: PoolhostInstance, applicationPool: string, body: (pids: number[]) => Promise<T>): Promise<T> {
  const pids = poolhost.workers(applicationPool).map((worker) => worker.pid);
  if (pids.length === 0) throw new Error(`no worker of ${applicationPool} runs`);
  for (const pid of pids) process.kill(pid, 'SIGSTOP');
  try {
    return await body(pids);
  } finally {
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // ended meanwhile
      }
    }
  }
}
