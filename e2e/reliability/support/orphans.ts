// Orphan checks: every worker of an instance must be a child of its live `was`.
import { readFileSync } from 'node:fs';
import type { PoolhostInstance } from '../../support/poolhost-instance.js';

export function parentPid(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

/** Workers whose parent is not the instance's current was. */
export function orphanedWorkers(instance: PoolhostInstance): number[] {
  const processes = instance.processes();
  const was = processes.find((info) => info.role === 'was')?.pid;
  return processes.filter((info) => info.role === 'w3wp').filter((info) => {
    try {
      return parentPid(info.pid) !== was;
    } catch {
      return false;
    }
  }).map((info) => info.pid);
}

export function servicePid(instance: PoolhostInstance, role: 'httpsys' | 'w3svc' | 'was'): number | undefined {
  return instance.processes().find((info) => info.role === role)?.pid;
}
