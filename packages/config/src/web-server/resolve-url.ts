// URL path → application → virtual directory → physical path inside a site (reference §4.6 steps 4–5):
// longest segment-aligned, case-insensitive prefix wins at each step.

import { join, relative, isAbsolute } from 'node:path';
import type { Application, Site, VirtualDirectory } from '../model.js';

export interface ResolvedUrl {
  application: Application;
  virtualDirectory: VirtualDirectory;
  /** URL path of the virtual directory's root (`/app1/vdir`). */
  virtualDirectoryUrl: string;
  /** Absolute physical path, or undefined when the URL would escape the virtual directory (`..`). */
  physicalPath: string | undefined;
}

function isPrefix(prefix: string, path: string): boolean {
  if (prefix === '/') return true;
  const p = prefix.toLowerCase();
  const lower = path.toLowerCase();
  return lower === p || lower.startsWith(`${p}/`);
}

function longest<T extends { path: string }>(items: T[], path: string): T | undefined {
  let best: T | undefined;
  for (const item of items) if (isPrefix(item.path, path) && (!best || item.path.length > best.path.length)) best = item;
  return best;
}

export function resolveUrl(site: Site, urlPath: string): ResolvedUrl | undefined {
  const path = `/${urlPath.split('/').filter(Boolean).join('/')}`;
  const application = longest(site.applications, path);
  if (!application) return undefined;
  const inApplication = application.path === '/' ? path : path.slice(application.path.length) || '/';
  const virtualDirectory = longest(application.virtualDirectories, inApplication);
  if (!virtualDirectory) return undefined;
  const rest = virtualDirectory.path === '/' ? inApplication : inApplication.slice(virtualDirectory.path.length);
  const physicalPath = join(virtualDirectory.physicalPath, ...rest.split('/').filter(Boolean));
  const inside = relative(virtualDirectory.physicalPath, physicalPath);
  const escapes = inside.startsWith('..') || isAbsolute(inside);
  const virtualDirectoryUrl = `${application.path === '/' ? '' : application.path}${virtualDirectory.path === '/' ? '' : virtualDirectory.path}` || '/';
  return { application, virtualDirectory, virtualDirectoryUrl, physicalPath: escapes ? undefined : physicalPath };
}
