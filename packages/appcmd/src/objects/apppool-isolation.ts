// `list apppool /text:*` (poolhost beyond IIS): the pool's cgroup, the configured limits this machine
// cannot enforce, and what the group counts now — CPU time, memory, tasks, OOM kills, refused forks.
import type { ApplicationPoolIsolation } from '@poolhost/protocol';
import type { ElementView } from '../output/record.js';

export function isolationBlock(isolation: ApplicationPoolIsolation): ElementView {
  const attributes: Array<[string, string]> = [['cgroup', isolation.cgroup]];
  if (isolation.cgroupUnavailable) attributes.push(['cgroupUnavailable', isolation.cgroupUnavailable]);
  if (isolation.unenforced) attributes.push(['notEnforced', isolation.unenforced.join(', ')]);
  if (isolation.cpuTimeMs !== undefined) attributes.push(['cpuTime', `${(isolation.cpuTimeMs / 1000).toFixed(1)} s`]);
  if (isolation.cpuUsedPercent !== undefined) attributes.push(['cpuLastInterval', `${isolation.cpuUsedPercent}%`]);
  if (isolation.memoryBytes !== undefined) attributes.push(['memory', `${Math.round(isolation.memoryBytes / 1024)} KB`]);
  if (isolation.tasks !== undefined) attributes.push(['tasks', String(isolation.tasks)]);
  attributes.push(['oomKills', String(isolation.oomKills)], ['taskLimitHits', String(isolation.taskLimitHits)]);
  return { name: 'isolation', attributes, children: [] };
}
