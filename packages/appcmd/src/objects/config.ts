// CONFIG: any configuration section of applicationHost.config, at the server level or, for a config
// path (`"Default Web Site/app1"`, `MACHINE/WEBROOT/APPHOST/Site`, `http://localhost:8080/app1`),
// in that path's `<location>` tag. Every change is committed to applicationHost.config (poolhost
// does not write web.config files; see docs/appcmd.md).
import type { ConfigElement, ConfigDocument } from '@poolhost/config';
import { Errors } from '../errors.js';
import type { ElementView } from '../output/record.js';
import { elementXml } from '../output/element-xml.js';
import { explicitView, effectiveView } from '../configuration/element-view.js';
import { applyPropertyParameter } from '../configuration/property-edit.js';
import { matchesFilter, parseFilter } from '../syntax/filter.js';
import type { CommandContext, ObjectTypeDefinition, VerbDefinition } from './command-context.js';

const APPHOST = 'MACHINE/WEBROOT/APPHOST';
const APPLICATION_HOST_SECTIONS = ['applicationPools', 'sites', 'webLimits', 'log', 'listenerAdapters', 'customMetadata', 'configHistory', 'httpSys', 'sitesDefaults'];

/** `/section:directoryBrowse` → `system.webServer/directoryBrowse`; full paths are kept. */
export function sectionPath(name: string): string {
  if (name.includes('/')) return name;
  if (APPLICATION_HOST_SECTIONS.some((section) => section.toLowerCase() === name.toLowerCase())) return `system.applicationHost/${name}`;
  return `system.webServer/${name}`;
}

/** The location path a command's identifier names: '' for the server level. */
export function locationPath(context: CommandContext): string {
  const identifier = context.identifier;
  if (identifier === undefined) return '';
  let path = identifier;
  if (/^MACHINE\/WEBROOT\/APPHOST/i.test(path)) path = path.slice(APPHOST.length);
  else if (/^https?:\/\//i.test(path)) path = urlToPath(context, new URL(path));
  return path.replace(/^\/+|\/+$/g, '');
}

function urlToPath(context: CommandContext, url: URL): string {
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const host = url.hostname.toLowerCase();
  const sites = context.model().sites;
  const site =
    sites.find((candidate) => candidate.bindings.some((binding) => binding.port === port && binding.host === host)) ??
    sites.find((candidate) => candidate.bindings.some((binding) => binding.port === port && binding.host === ''));
  if (!site) throw Errors.cannotFind('CONFIG', url.href);
  const rest = decodeURIComponent(url.pathname).replace(/\/+$/, '');
  return `${site.name}${rest}`;
}

function configPathText(location: string): string {
  return location === '' ? APPHOST : `${APPHOST}/${location}`;
}

function requireSection(context: CommandContext): string {
  const section = context.general.get('section');
  if (section === undefined || section === '') throw Errors.badParameter('the /section:<name> parameter is required');
  return sectionPath(section);
}

/** Location tags for a path (any overrideMode), or the root for the server level. */
function levelContainers(document: ConfigDocument, location: string): ConfigElement[] {
  const tags = document.root.children('location').filter((tag) => (tag.get('path') ?? '').replace(/^\.$/, '').replace(/\/+$/, '').toLowerCase() === location.toLowerCase());
  return location === '' ? [document.root, ...tags] : tags;
}

function findBelow(container: ConfigElement, path: string): ConfigElement | undefined {
  let current: ConfigElement | undefined = container;
  for (const step of path.split('/')) current = current?.children().find((child) => child.name === step);
  return current;
}

function ensureBelow(container: ConfigElement, path: string): ConfigElement {
  let current = container;
  for (const step of path.split('/')) current = current.children().find((child) => child.name === step) ?? current.addChild(step);
  return current;
}

function findSection(document: ConfigDocument, location: string, section: string): ConfigElement | undefined {
  for (const container of levelContainers(document, location)) {
    const found = findBelow(container, section);
    if (found) return found;
  }
  return undefined;
}

function ensureSection(document: ConfigDocument, location: string, section: string): ConfigElement {
  const existing = findSection(document, location, section);
  if (existing) return existing;
  const container = location === '' ? document.root : document.location(location, { create: true })!;
  return ensureBelow(container, section);
}

/** Wraps a section view in its section groups: `<system.webServer>` … `</system.webServer>`. */
export function wrapInGroups(section: string, view: ElementView): ElementView {
  const groups = section.split('/').slice(0, -1);
  return groups.reduceRight<ElementView>((inner, group) => ({ name: group, attributes: [], children: [inner] }), view);
}

function appliedMessage(section: string, location: string): string {
  return `Applied configuration changes to section "${section}" for "${configPathText(location)}" at configuration commit path "${APPHOST}"`;
}

const list: VerbDefinition = {
  summary: 'List configuration sections',
  usage: ['<identifier>  config path, e.g. "Default Web Site/app1" (default: the server level)', '/section:<name>  e.g. directoryBrowse, system.applicationHost/sites', '/config:*  include default values'],
  async run(context) {
    const document = context.document();
    const location = locationPath(context);
    const requested = context.general.get('section');
    const sections = requested
      ? [sectionPath(requested)]
      : levelContainers(document, location).flatMap((container) =>
          container.children().filter((group) => group.name.startsWith('system.')).flatMap((group) => group.children().map((child) => `${group.name}/${child.name}`)),
        );
    for (const section of [...new Set(sections)]) {
      const element = findSection(document, location, section) ?? (location === '' ? undefined : findSection(document, '', section));
      const name = section.slice(section.lastIndexOf('/') + 1);
      const view =
        context.output.config === 'all'
          ? effectiveView({ element, path: section }, name)
          : element
            ? explicitView(element)
            : { name, attributes: [], children: [] };
      for (const line of elementXml(wrapInGroups(section, view))) context.write(line);
    }
  },
};

const set: VerbDefinition = {
  summary: 'Set configuration section',
  usage: ['<identifier>  config path (default: the server level)', '/section:<name>', '/<attribute>:<value>, /+[key=\'value\',…], /-[key=\'value\']', '/commit:apphost  (the only commit level poolhost writes)'],
  async run(context) {
    const section = requireSection(context);
    const location = locationPath(context);
    const element = ensureSection(context.document(), location, section);
    for (const parameter of context.properties) applyPropertyParameter({ element, path: section }, parameter);
    context.commit();
    context.write(appliedMessage(section, location));
  },
};

const clear: VerbDefinition = {
  summary: 'Clear configuration section',
  usage: ['<identifier>  config path', '/section:<name>'],
  async run(context) {
    const section = requireSection(context);
    const location = locationPath(context);
    const element = findSection(context.document(), location, section);
    if (element) element.remove();
    context.commit();
    context.write(appliedMessage(section, location));
  },
};

const search: VerbDefinition = {
  summary: 'Search configuration',
  usage: ['<identifier>  config path to search below (default: everything)', '/section:<name>  locations that set this section', '/<attribute>:<value>  … to this value'],
  async run(context) {
    const document = context.document();
    const below = locationPath(context).toLowerCase();
    const section = context.general.get('section') ? sectionPath(context.general.get('section')!) : undefined;
    const levels: Array<{ path: string; container: ConfigElement }> = [{ path: '', container: document.root }];
    for (const tag of document.root.children('location')) levels.push({ path: (tag.get('path') ?? '').replace(/^\.$/, '').replace(/\/+$/, ''), container: tag });
    const found = new Set<string>();
    for (const level of levels) {
      if (below !== '' && level.path.toLowerCase() !== below && !level.path.toLowerCase().startsWith(`${below}/`)) continue;
      const candidates = section ? [findBelow(level.container, section)].filter((element): element is ConfigElement => !!element) : level.container.children().filter((child) => child.name.startsWith('system.'));
      const matching = candidates.filter((element) =>
        context.properties.every((parameter) => matchesFilter(parseFilter(parameter.name, parameter.value ?? ''), element.get(parameter.name))),
      );
      if (matching.length) found.add(level.path);
    }
    for (const path of found) context.write(`CONFIGSEARCH "${configPathText(path)}"`);
  },
};

/** Moves a section into a location tag with the given overrideMode (IIS writes locks that way). */
function lockVerb(mode: 'Allow' | 'Deny'): VerbDefinition {
  return {
    summary: mode === 'Deny' ? 'Lock configuration section' : 'Unlock configuration section',
    usage: ['<identifier>  config path (default: the server level)', '/section:<name>'],
    async run(context) {
      const section = requireSection(context);
      const location = locationPath(context);
      const document = context.document();
      const existing = findSection(document, location, section);
      const content = existing ? explicitView(existing) : { name: section.slice(section.lastIndexOf('/') + 1), attributes: [], children: [] };
      let tag = document.root
        .children('location')
        .find((candidate) => (candidate.get('path') ?? '').replace(/^\.$/, '').toLowerCase() === location.toLowerCase() && (candidate.get('overrideMode') ?? '').toLowerCase() === mode.toLowerCase());
      const alreadyThere = existing && tag && findBelow(tag, section)?.node === existing.node;
      if (!alreadyThere) {
        tag ??= document.root.addChild('location', { path: location, overrideMode: mode });
        existing?.remove();
        const parent = ensureBelow(tag, section.split('/').slice(0, -1).join('/'));
        rebuild(parent, content);
      }
      context.commit();
      context.write(`${mode === 'Deny' ? 'Locked' : 'Unlocked'} section "${section}" at configuration path "${configPathText(location)}".`);
    },
  };
}

function rebuild(parent: ConfigElement, view: ElementView): void {
  const element = parent.addChild(view.name, Object.fromEntries(view.attributes));
  for (const child of view.children) rebuild(element, child);
}

export const configObject: ObjectTypeDefinition = {
  name: 'CONFIG',
  aliases: ['config', 'configs'],
  description: 'Administration of general configuration sections',
  verbs: { list, set, search, lock: lockVerb('Deny'), unlock: lockVerb('Allow'), clear },
};
