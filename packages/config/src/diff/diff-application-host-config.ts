// Live reconfiguration input: what changed between two loads of applicationHost.config, as sets
// (added / changed / kept / removed) per object kind, with the changed attributes as dotted names.

import type { Application, ApplicationHostConfig, ApplicationPool, Binding, Site, VirtualDirectory } from '../model.js';
import { changedAttributes } from './changed-attributes.js';

export interface ObjectChange<K> {
  key: K;
  /** Dotted attribute names, e.g. `processModel.maxProcesses`, `recycling.periodicRestart.schedule`. */
  attributes: string[];
}

export interface ObjectSetDiff<K> {
  added: K[];
  changed: Array<ObjectChange<K>>;
  kept: K[];
  removed: K[];
}

export interface BindingKey {
  site: string;
  protocol: string;
  bindingInformation: string;
}
export interface ApplicationKey {
  site: string;
  path: string;
}
export interface VirtualDirectoryKey {
  site: string;
  application: string;
  path: string;
}

export interface ApplicationHostConfigDiff {
  applicationPools: ObjectSetDiff<string>;
  /** A site is changed when its own attributes, limits, logging or binding set differ (`bindings`). */
  sites: ObjectSetDiff<string>;
  bindings: ObjectSetDiff<BindingKey>;
  applications: ObjectSetDiff<ApplicationKey>;
  virtualDirectories: ObjectSetDiff<VirtualDirectoryKey>;
  /** Changed webLimits attribute names. */
  webLimits: string[];
  /** Changed httpSys attribute names. */
  httpSys: string[];
  /** Whether anything at all differs. */
  hasChanges: boolean;
}

function diffSet<T, K>(before: T[], after: T[], keyOf: (item: T) => K, idOf: (key: K) => string, compare: (a: T, b: T) => string[]): ObjectSetDiff<K> {
  const out: ObjectSetDiff<K> = { added: [], changed: [], kept: [], removed: [] };
  const old = new Map(before.map((item) => [idOf(keyOf(item)), item]));
  const seen = new Set<string>();
  for (const item of after) {
    const key = keyOf(item);
    const id = idOf(key);
    seen.add(id);
    const previous = old.get(id);
    if (!previous) out.added.push(key);
    else {
      const attributes = compare(previous, item);
      if (attributes.length) out.changed.push({ key, attributes });
      else out.kept.push(key);
    }
  }
  for (const item of before) if (!seen.has(idOf(keyOf(item)))) out.removed.push(keyOf(item));
  return out;
}

const lower = (text: string): string => text.toLowerCase();
const bindingId = (binding: Binding): string => `${binding.protocol}/${binding.bindingInformation}`.toLowerCase();

function flatten<T, K>(config: ApplicationHostConfig, pick: (site: Site) => Array<{ key: K; item: T }>): Array<{ key: K; item: T }> {
  return config.sites.flatMap(pick);
}

export function diffApplicationHostConfig(before: ApplicationHostConfig, after: ApplicationHostConfig): ApplicationHostConfigDiff {
  const applicationPools = diffSet<ApplicationPool, string>(before.applicationPools, after.applicationPools, (pool) => pool.name, lower, (a, b) =>
    changedAttributes(a, b),
  );
  const sites = diffSet<Site, string>(before.sites, after.sites, (site) => site.name, lower, (a, b) => {
    const attributes = changedAttributes(a, b, ['bindings', 'applications']);
    const bindingsBefore = a.bindings.map(bindingId).sort().join(',');
    const bindingsAfter = b.bindings.map(bindingId).sort().join(',');
    if (bindingsBefore !== bindingsAfter) attributes.push('bindings');
    return attributes;
  });
  const bindingEntries = (config: ApplicationHostConfig) =>
    flatten(config, (site) => site.bindings.map((binding) => ({ key: { site: site.name, protocol: binding.protocol, bindingInformation: binding.bindingInformation }, item: binding })));
  const bindings = diffSet(
    bindingEntries(before),
    bindingEntries(after),
    (entry) => entry.key,
    (key: BindingKey) => `${key.site}|${key.protocol}/${key.bindingInformation}`.toLowerCase(),
    (a, b) => changedAttributes(a.item, b.item),
  );
  const applicationEntries = (config: ApplicationHostConfig) =>
    flatten<Application, ApplicationKey>(config, (site) => site.applications.map((application) => ({ key: { site: site.name, path: application.path }, item: application })));
  const applications = diffSet(
    applicationEntries(before),
    applicationEntries(after),
    (entry) => entry.key,
    (key: ApplicationKey) => `${key.site}|${key.path}`.toLowerCase(),
    (a, b) => changedAttributes(a.item, b.item, ['virtualDirectories']),
  );
  const virtualDirectoryEntries = (config: ApplicationHostConfig) =>
    flatten<VirtualDirectory, VirtualDirectoryKey>(config, (site) =>
      site.applications.flatMap((application) =>
        application.virtualDirectories.map((vdir) => ({ key: { site: site.name, application: application.path, path: vdir.path }, item: vdir })),
      ),
    );
  const virtualDirectories = diffSet(
    virtualDirectoryEntries(before),
    virtualDirectoryEntries(after),
    (entry) => entry.key,
    (key: VirtualDirectoryKey) => `${key.site}|${key.application}|${key.path}`.toLowerCase(),
    (a, b) => changedAttributes(a.item, b.item),
  );
  const webLimits = changedAttributes(before.webLimits, after.webLimits);
  const httpSys = changedAttributes(before.httpSys, after.httpSys);
  const sets = [applicationPools, sites, bindings, applications, virtualDirectories];
  const hasChanges = webLimits.length > 0 || httpSys.length > 0 || sets.some((set) => set.added.length + set.changed.length + set.removed.length > 0);
  return { applicationPools, sites, bindings, applications, virtualDirectories, webLimits, httpSys, hasChanges };
}
