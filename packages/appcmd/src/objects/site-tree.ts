// Sites, applications and virtual directories as appcmd names them (reference §4.2):
// APP.NAME = `<site><apppath>` (`Site/`, `Site/app1`), VDIR.NAME = `<site><apppath without "/"><vdirpath>`
// (`Site/`, `Site/app1/`, `Site/app1/vdir1`).
import type { ConfigElement } from '@poolhost/config';
import type { CommandContext } from './command-context.js';

export const SITES = 'system.applicationHost/sites';
export const SITE_PATH = `${SITES}/site`;
export const APPLICATION_PATH = `${SITE_PATH}/application`;
export const VIRTUAL_DIRECTORY_PATH = `${APPLICATION_PATH}/virtualDirectory`;

export interface SiteNode {
  element: ConfigElement;
  name: string;
}

export interface ApplicationNode {
  site: SiteNode;
  element: ConfigElement;
  path: string;
  name: string;
}

export interface VirtualDirectoryNode {
  application: ApplicationNode;
  element: ConfigElement;
  path: string;
  name: string;
}

export function applicationName(siteName: string, path: string): string {
  return `${siteName}${path}`;
}

export function virtualDirectoryName(siteName: string, applicationPath: string, path: string): string {
  return `${siteName}${applicationPath === '/' ? '' : applicationPath}${path}`;
}

export function siteNodes(context: CommandContext): SiteNode[] {
  return (context.document().find(SITES)?.children('site') ?? []).map((element) => ({ element, name: element.get('name') ?? '' }));
}

export function applicationNodes(context: CommandContext): ApplicationNode[] {
  return siteNodes(context).flatMap((site) =>
    site.element.children('application').map((element) => {
      const path = element.get('path') ?? '/';
      return { site, element, path, name: applicationName(site.name, path) };
    }),
  );
}

export function virtualDirectoryNodes(context: CommandContext): VirtualDirectoryNode[] {
  return applicationNodes(context).flatMap((application) =>
    application.element.children('virtualDirectory').map((element) => {
      const path = element.get('path') ?? '/';
      return { application, element, path, name: virtualDirectoryName(application.site.name, application.path, path) };
    }),
  );
}

export function findSite(context: CommandContext, name: string): SiteNode | undefined {
  return siteNodes(context).find((site) => site.name.toLowerCase() === name.toLowerCase());
}

/** `Site/app1` or `Site/` → the application; `Site` alone means its root application. */
export function findApplication(context: CommandContext, name: string): ApplicationNode | undefined {
  const wanted = (name.includes('/') ? name : `${name}/`).toLowerCase();
  return applicationNodes(context).find((application) => application.name.toLowerCase() === wanted);
}

export function findVirtualDirectory(context: CommandContext, name: string): VirtualDirectoryNode | undefined {
  const wanted = (name.includes('/') ? name : `${name}/`).toLowerCase();
  return virtualDirectoryNodes(context).find((directory) => directory.name.toLowerCase() === wanted);
}

/** Inserts a child after the last of its kind (IIS keeps applications together), else at the end. */
export function addAfterLast(parent: ConfigElement, name: string, attributes: Record<string, string>): ConfigElement {
  const children = parent.children();
  let lastIndex = -1;
  children.forEach((child, index) => {
    if (child.name === name) lastIndex = index;
  });
  const before = lastIndex >= 0 ? children[lastIndex + 1] : children[0];
  return before ? parent.addChild(name, attributes, { before }) : parent.addChild(name, attributes);
}
