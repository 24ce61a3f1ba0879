// WP: running worker processes, from was (reference §10). `/text:*` adds what IIS Manager's
// "Worker Processes" page shows on Windows: CPU, memory, requests served and uptime; and, beyond IIS,
// the worker's role in its pool (a standbyWorker pool's standby, a recycle's replacement or retiring worker).
import pidusage from 'pidusage';
import type { WorkerProcessInfo } from '@poolhost/protocol';
import type { AppcmdRecord } from '../output/record.js';
import { formatTimeSpan } from '@poolhost/config';
import { listVerb } from './list-verb.js';
import type { CommandContext, ObjectTypeDefinition } from './command-context.js';

interface Usage {
  cpu: number;
  memory: number;
}

async function usageOf(pids: number[]): Promise<Map<number, Usage>> {
  const found = new Map<number, Usage>();
  await Promise.all(
    pids.map(async (pid) => {
      try {
        const stats = await pidusage(pid);
        found.set(pid, { cpu: stats.cpu, memory: stats.memory });
      } catch {
        // The worker ended meanwhile.
      }
    }),
  );
  return found;
}

export function workerExtraProperties(worker: WorkerProcessInfo, usage: Usage | undefined, now: number): Array<[string, string]> {
  const started = Date.parse(worker.startedAt);
  const uptime = Number.isFinite(started) ? formatTimeSpan(Math.max(0, Math.floor((now - started) / 1000)) * 1000) : '';
  return [
    ['state', worker.state],
    // poolhost beyond IIS: active, standby (standbyWorker="true"), replacement or retiring (an overlapped recycle).
    ['role', worker.role ?? 'active'],
    ['cpu', usage ? `${usage.cpu.toFixed(1)}%` : ''],
    ['memory', usage ? `${Math.round(usage.memory / 1024)} KB` : ''],
    ['requestsServed', String(worker.requestsServed)],
    ['requestsInFlight', String(worker.requestsInFlight)],
    ['startTime', worker.startedAt],
    ['uptime', uptime],
    // poolhost beyond IIS: the pool's cgroup the worker runs in (list apppool /text:* shows its limits and usage).
    ['cgroup', worker.cgroup ?? ''],
  ];
}

export function workerRecord(worker: WorkerProcessInfo, extra?: Array<[string, string]>): AppcmdRecord {
  return {
    objectType: 'WP',
    identifier: String(worker.pid),
    summary: `applicationPool:${worker.applicationPool}`,
    properties: [
      ['WP.NAME', String(worker.pid)],
      ['APPPOOL.NAME', worker.applicationPool],
    ],
    ...(extra ? { extraProperties: extra } : {}),
  };
}

export async function workerRecords(context: CommandContext): Promise<AppcmdRecord[]> {
  const reply = await context.runtime.request('was', { type: 'ListWorkerProcesses' });
  const detailed = context.output.text === '*' || (context.output.text !== undefined && context.output.text !== '');
  const usage = detailed ? await usageOf(reply.workers.map((worker) => worker.pid)) : new Map<number, Usage>();
  const now = Date.now();
  return reply.workers.map((worker) => workerRecord(worker, detailed ? workerExtraProperties(worker, usage.get(worker.pid), now) : undefined));
}

export const wpObject: ObjectTypeDefinition = {
  name: 'WP',
  aliases: ['wp', 'wps'],
  description: 'Administration of worker processes',
  verbs: {
    list: listVerb(workerRecords, ['<identifier>  process id', '/apppool.name:<name>  workers of one application pool', '/text:*  adds CPU, memory, requests served, uptime and the role in the pool']),
  },
};
