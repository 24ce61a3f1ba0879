// Which applications a web.config belongs to. A web.config in a virtual directory's folder, or in any
// folder below it, configures the URL of that folder and everything below it (reference §5:
// configuration inherits by URL), so it reaches the application that owns the folder and every child
// application under that URL.
import { dirname, relative, sep } from 'node:path';
import type { ApplicationHostConfig } from '@poolhost/config';

export interface ApplicationReference {
  site: string;
  path: string;
  applicationPool: string;
  /** The URL the web.config configures inside this application (its folder, or the application's root for a child application). */
  url: string;
}

const isAtOrBelow = (ancestor: string, path: string): boolean => {
  const a = ancestor.toLowerCase();
  const p = path.toLowerCase();
  return a === '/' || p === a || p.startsWith(`${a}/`);
};

function joinUrl(...parts: string[]): string {
  const joined = parts.join('/').replace(/\/+/g, '/').replace(/\/$/, '');
  return joined === '' ? '/' : joined.startsWith('/') ? joined : `/${joined}`;
}

export function applicationsConfiguredBy(config: ApplicationHostConfig, webConfigFile: string): ApplicationReference[] {
  const folder = dirname(webConfigFile);
  const found = new Map<string, ApplicationReference>();
  for (const site of config.sites) {
    for (const application of site.applications) {
      for (const vdir of application.virtualDirectories) {
        const root = vdir.physicalPath.replace(/\/+$/, '');
        if (folder !== root && !folder.startsWith(root + sep)) continue;
        const url = joinUrl(application.path, vdir.path, relative(root, folder).split(sep).join('/'));
        // The URL belongs to the deepest application above it; applications below it inherit.
        const owner = site.applications
          .filter((candidate) => isAtOrBelow(candidate.path, url))
          .sort((a, b) => b.path.length - a.path.length)[0];
        for (const candidate of site.applications) {
          if (candidate === owner || isAtOrBelow(url, candidate.path)) {
            const configured = candidate === owner ? url : candidate.path;
            found.set(`${site.name}|${candidate.path}`.toLowerCase(), { site: site.name, path: candidate.path, applicationPool: candidate.applicationPool, url: configured });
          }
        }
      }
    }
  }
  return [...found.values()];
}
