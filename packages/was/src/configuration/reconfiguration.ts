// Live reconfiguration (reference §5: "Config is re-read on file change"; STYLE: config changes as
// sets). A new applicationHost.config is applied as a diff against the one in force:
//   1. pools added are created (and started when autoStart)        — undone if a later step fails;
//   2. the whole site configuration goes to w3svc (sites, bindings, applications, request queues):
//      w3svc re-sends the URL groups and httpsys opens new listeners, closes removed ones and routes
//      moved applications to their new queue, leaving everything else untouched;
//   3. pools changed take their new settings, recycling (5080) when a setting needs new workers, and
//      pools whose applications changed replace their workers, which load applications at start;
//   4. pools removed are stopped after draining (their applications already route elsewhere).
// Steps 3 and 4 only run once the new routes are in force and cannot fail.
import type { Logger } from '@poolhost/common';
import { applicationPoolProtocols, diffApplicationHostConfig, type ApplicationHostConfig, type ApplicationHostConfigDiff, type ApplicationPool as ApplicationPoolConfig, type ObjectSetDiff } from '@poolhost/config';
import type { ApplicationPool } from '../application-pool/application-pool.js';

export interface ReconfigurationHost {
  readonly pools: Map<string, ApplicationPool>;
  logger: Logger;
  createPool(config: ApplicationPoolConfig): ApplicationPool;
  /** Stops a pool that left the configuration, after its workers drain. */
  retirePool(pool: ApplicationPool): void;
  publishSiteConfiguration(config: ApplicationHostConfig): void;
}

const key = (name: string): string => name.toLowerCase();

function summary<K>(label: string, set: ObjectSetDiff<K>): string | null {
  const parts = [['+', set.added.length], ['~', set.changed.length], ['-', set.removed.length]].filter(([, count]) => count !== 0);
  return parts.length === 0 ? null : `${label} ${parts.map(([sign, count]) => `${sign}${count}`).join(' ')}`;
}

export function describeDiff(diff: ApplicationHostConfigDiff): string {
  const parts = [
    summary('application pools', diff.applicationPools),
    summary('sites', diff.sites),
    summary('bindings', diff.bindings),
    summary('applications', diff.applications),
    summary('virtual directories', diff.virtualDirectories),
    diff.webLimits.length > 0 ? `webLimits ${diff.webLimits.join(', ')}` : null,
    diff.httpSys.length > 0 ? `httpSys ${diff.httpSys.join(', ')}` : null,
  ].filter((part): part is string => part !== null);
  return parts.join('; ');
}

/**
 * The pools (lower-cased) whose running workers lack an application or virtual directory of `after`: the
 * pools of applications added or changed (moved, other protocols…) and of applications whose virtual
 * directories were added, changed or removed. An application removed needs nothing: httpsys no longer
 * routes to it.
 */
function poolsWithChangedApplications(diff: ApplicationHostConfigDiff, before: ApplicationHostConfig, after: ApplicationHostConfig): Set<string> {
  const poolOf = (site: string, path: string): string | undefined =>
    after.sites.find((candidate) => candidate.name === site)?.applications.find((application) => application.path === path)?.applicationPool;
  const pools = new Set<string>();
  const note = (site: string, path: string): void => {
    const pool = poolOf(site, path);
    if (pool !== undefined) pools.add(key(pool));
  };
  for (const application of [...diff.applications.added, ...diff.applications.changed.map((change) => change.key)]) note(application.site, application.path);
  const { added, changed, removed } = diff.virtualDirectories;
  for (const directory of [...added, ...changed.map((change) => change.key), ...removed]) note(directory.site, directory.application);
  // A binding added or removed can change the listener adapters a pool's workers attach to (the first
  // net.tcp binding of a site whose application enables net.tcp, or its last one going): new workers then.
  if (diff.bindings.added.length + diff.bindings.removed.length + diff.bindings.changed.length > 0) {
    for (const pool of after.applicationPools) {
      const [was, now] = [applicationPoolProtocols(before, pool.name), applicationPoolProtocols(after, pool.name)];
      if (was.length !== now.length || was.some((protocol) => !now.includes(protocol))) pools.add(key(pool.name));
    }
  }
  return pools;
}

/** Applies `after` over `before`; throws (after undoing what it created) if a step fails. */
export async function applyConfiguration(host: ReconfigurationHost, before: ApplicationHostConfig, after: ApplicationHostConfig): Promise<ApplicationHostConfigDiff> {
  const diff = diffApplicationHostConfig(before, after);
  if (!diff.hasChanges) return diff;
  const poolConfig = (name: string): ApplicationPoolConfig => after.applicationPools.find((pool) => key(pool.name) === key(name))!;
  const undo: Array<() => void> = [];
  const removed: ApplicationPool[] = [];
  try {
    for (const name of diff.applicationPools.added) {
      const config = poolConfig(name);
      const pool = host.createPool(config);
      host.pools.set(key(name), pool);
      undo.push(() => {
        host.pools.delete(key(name));
        void pool.shutdown({ kind: 'applicationPoolRemoved' }, 'configuration change rolled back');
      });
      if (config.autoStart) await pool.start('added to the configuration');
    }
    for (const name of diff.applicationPools.removed) {
      const pool = host.pools.get(key(name));
      if (!pool) continue;
      host.pools.delete(key(name));
      removed.push(pool);
      undo.push(() => host.pools.set(key(name), pool));
    }
    host.publishSiteConfiguration(after);
  } catch (error) {
    for (const step of undo.reverse()) step();
    throw error;
  }
  for (const change of diff.applicationPools.changed) {
    host.pools.get(key(change.key))?.reconfigure(poolConfig(change.key), change.attributes);
  }
  const added = new Set(diff.applicationPools.added.map(key));
  for (const name of poolsWithChangedApplications(diff, before, after)) {
    if (!added.has(name)) host.pools.get(name)?.applicationsChanged();
  }
  for (const pool of removed) host.retirePool(pool);
  return diff;
}
