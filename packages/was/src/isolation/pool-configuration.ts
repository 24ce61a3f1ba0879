// Configuration isolation (IIS 7+, reference/iis-2.md §8): each pool's workers read their own copy of
// applicationHost.config, filtered for that pool — its own applicationPools entry, only the sites that
// have an application in it and only those applications, `<location>` tags of other sites removed,
// every global section kept. was writes it at each worker start as `<pool>.config` in the pool's
// private folder, mode 0600, owned by the pool's identity; the worker gets its path as `-h` and in
// APP_POOL_CONFIG and never needs to read applicationHost.config (or any other pool's file).
import { chmodSync, chownSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigDocument, type ApplicationHostConfig } from '@poolhost/config';
import type { WorkerIdentity } from '../worker-process/worker-identity.js';
import { poolFolderName } from '../worker-process/pool-temp-directory.js';

/** The applied configuration: its model and the text it was read from. */
export interface AppliedConfiguration {
  model: ApplicationHostConfig;
  text: string;
}

export function poolConfigurationText(applied: AppliedConfiguration, poolName: string): string {
  const document = ConfigDocument.parse(applied.text, applied.model.file);
  const ownPool = (name: string | undefined) => (name ?? '').toLowerCase() === poolName.toLowerCase();
  for (const pool of document.find('system.applicationHost/applicationPools')?.children('add') ?? []) {
    if (!ownPool(pool.get('name'))) pool.remove();
  }
  const removedSites = new Set<string>();
  for (const siteElement of document.find('system.applicationHost/sites')?.children('site') ?? []) {
    const name = siteElement.get('name') ?? '';
    const site = applied.model.sites.find((candidate) => candidate.name.toLowerCase() === name.toLowerCase());
    const poolOf = (path: string | undefined) => site?.applications.find((application) => application.path.toLowerCase() === (path ?? '').toLowerCase())?.applicationPool;
    const applications = siteElement.children('application');
    const kept = applications.filter((application) => ownPool(poolOf(application.get('path'))));
    if (kept.length === 0) {
      siteElement.remove();
      removedSites.add(name.toLowerCase());
      continue;
    }
    for (const application of applications) if (!kept.includes(application)) application.remove();
  }
  for (const location of document.root.children('location')) {
    const site = (location.get('path') ?? '').split('/')[0]!.toLowerCase();
    if (removedSites.has(site)) location.remove();
  }
  return document.text;
}

/** `<pool folder>/<pool>.config`, replaced atomically, 0600, owned by the pool's identity. */
export function writePoolConfiguration(poolDirectory: string, poolName: string, text: string, identity: WorkerIdentity | undefined): string {
  const file = join(poolDirectory, `${poolFolderName(poolName)}.config`);
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, text, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  if (identity) chownSync(temporary, identity.uid, identity.gid);
  renameSync(temporary, file);
  return file;
}
