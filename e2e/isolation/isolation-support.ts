// Shared by the isolation tests: applications that burn CPU, allocate without end and fork, and how a
// test reads a process's CPU time and a pool's cgroup.
import { existsSync, readFileSync } from 'node:fs';
import type { ApplicationPoolIsolation } from '@poolhost/protocol';
import { askWas } from '../support/runtime-client.js';

/** `/burn?threads=N&ms=M` spins N threads for M ms and answers at once; anything else answers the PID. */
export const cpuBurnApp = `
const { Worker } = require('node:worker_threads');
const spin = 'const end = Date.now() + Number(require("node:worker_threads").workerData); while (Date.now() < end) {}';
module.exports = (req, res) => {
  const url = new URL(req.url, 'http://x');
  if (url.pathname.endsWith('/burn')) {
    const threads = Number(url.searchParams.get('threads') || 1);
    for (let i = 0; i < threads; i++) new Worker(spin, { eval: true, workerData: Number(url.searchParams.get('ms') || 1000) }).unref();
  }
  res.end(String(process.pid));
};
`;

/** `/fork?count=N` starts N \`sleep 60\` children and answers how many started and how many the kernel refused. */
export const forkApp = `
const { spawn } = require('node:child_process');
module.exports = (req, res) => {
  const url = new URL(req.url, 'http://x');
  if (!url.pathname.endsWith('/fork')) return res.end(String(process.pid));
  const count = Number(url.searchParams.get('count') || 1);
  let started = 0, refused = 0, settled = 0;
  const pids = [];
  const done = () => { if (++settled === count) res.end(JSON.stringify({ started, refused, pids })); };
  for (let i = 0; i < count; i++) {
    let child;
    try { child = spawn('sleep', ['60'], { stdio: 'ignore' }); } catch { refused++; done(); continue; }
    child.on('spawn', () => { started++; pids.push(child.pid); done(); });
    child.on('error', () => { refused++; done(); });
  }
};
`;

/** The CPU time (user + system, all threads) of a process so far, in seconds. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after "pid (comm) state".
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export async function poolIsolation(runDirectory: string, pool: string): Promise<ApplicationPoolIsolation> {
  const reply = await askWas(runDirectory, { type: 'ListApplicationPools' });
  const status = reply.applicationPools.find((candidate) => candidate.name === pool);
  if (!status?.isolation) throw new Error(`was reports no isolation for application pool '${pool}'`);
  return status.isolation;
}

/** Whether this machine gives poolhost cgroups (root, a hierarchy with cpu, memory and pids). */
export function cgroupsAvailable(): boolean {
  return process.getuid?.() === 0 && ['cpu', 'memory', 'pids'].every((controller) => existsSync(`/sys/fs/cgroup/${controller}/cgroup.procs`) || existsSync('/sys/fs/cgroup/cgroup.subtree_control'));
}

export function oomScoreAdj(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/oom_score_adj`, 'utf8').trim());
}

/**
 * A control file of a pool's cgroup in the hierarchy of its controller: the group itself on v2, the
 * same place under /sys/fs/cgroup/<controller> on v1 (where `isolation.cgroup` is the memory one).
 */
export function cgroupFile(cgroup: string, controller: string, file: string): string {
  if (existsSync(`${cgroup}/${file}`)) return `${cgroup}/${file}`;
  return `/sys/fs/cgroup/${controller}/poolhost/${cgroup.slice(cgroup.indexOf('/poolhost/') + '/poolhost/'.length)}/${file}`;
}

/** A flat-keyed cgroup file's value (cpu.stat's nr_throttled, pids.events' max …). */
export function cgroupKey(path: string, key: string): number {
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const [name, value] = line.split(' ');
    if (name === key) return Number(value);
  }
  return 0;
}
