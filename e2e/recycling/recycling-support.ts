// Shared by the recycling and live-reconfiguration tests: PIDs as a user sees them (the worker that
// answered, the workers was lists), process states from /proc, and configuration edits the way an
// editor or appcmd saves them (temp file, rename).
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { applicationHostConfig, type PoolSpec, type SiteSpec } from '../support/config-builder.js';
import { httpRequest } from '../support/http.js';
import type { PoolhostInstance } from '../support/poolhost-instance.js';
import { askWas } from '../support/runtime-client.js';

/** The PID of the worker that answered (the apps answer with process.pid). */
export async function pidOf(port: number, path = '/'): Promise<number> {
  const response = await httpRequest({ port, path });
  if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}: ${response.text.slice(0, 200)}`);
  return Number(response.text);
}

/** The PIDs of the pool's workers that are Starting or Running, as `appcmd list wp` sees them. */
export async function workerPids(instance: PoolhostInstance, applicationPool: string): Promise<number[]> {
  const list = await askWas(instance.runDirectory, { type: 'ListWorkerProcesses', applicationPool });
  return list.workers.filter((worker) => worker.state === 'Running' || worker.state === 'Starting').map((worker) => worker.pid);
}

/** The state letter of /proc/<pid>/stat (R, S, T for stopped …), or null when the process is gone. */
export function processState(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state === 'Z' ? null : state;
  } catch {
    return null;
  }
}

/** One site on `port` whose root application runs in the given pool, from `{{root}}/app`. */
export { singlePoolConfig } from '../support/config-builder.js';

export function configText(pools: PoolSpec[], sites: SiteSpec[]): string {
  return applicationHostConfig({ pools, sites });
}

/** Saves a new applicationHost.config the way editors and appcmd do: a temp file renamed over the original. */
export function saveConfig(instance: PoolhostInstance, text: string): void {
  const temporary = `${instance.configFile}.${process.pid}.tmp`;
  writeFileSync(temporary, text.replaceAll('{{root}}', instance.root));
  renameSync(temporary, instance.configFile);
}

/** Asks was for an administrator recycle (appcmd recycle apppool). */
export function recycle(instance: PoolhostInstance, applicationPool: string): Promise<unknown> {
  return askWas(instance.runDirectory, { type: 'RecycleApplicationPool', name: applicationPool });
}

export function pidAlive(pid: number): boolean {
  return processState(pid) !== null;
}
