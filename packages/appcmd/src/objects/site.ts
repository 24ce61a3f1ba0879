// SITE: sites in system.applicationHost/sites, with their state from w3svc.
import type { SiteState } from '@poolhost/protocol';
import type { ConfigElement } from '@poolhost/config';
import { Errors } from '../errors.js';
import type { AppcmdRecord } from '../output/record.js';
import { explicitView, effectiveView } from '../configuration/element-view.js';
import { applyPropertyParameter, checkedValue } from '../configuration/property-edit.js';
import { listVerb, targetsOf } from './list-verb.js';
import { otherProperties, propertyValue, type CommandContext, type ObjectTypeDefinition, type VerbDefinition } from './command-context.js';
import { addAfterLast, findSite, SITE_PATH, SITES, siteNodes, virtualDirectoryName } from './site-tree.js';

export function bindingsText(site: ConfigElement): string {
  return (site.child('bindings')?.children('binding') ?? []).map((binding) => `${binding.get('protocol') ?? ''}/${binding.get('bindingInformation') ?? ''}`).join(',');
}

async function siteStates(context: CommandContext): Promise<Map<string, SiteState> | undefined> {
  const reply = await context.runtime.tryRequest('w3svc', { type: 'ListSites' });
  return reply && new Map(reply.sites.map((site) => [site.name.toLowerCase(), site.state]));
}

export async function siteRecords(context: CommandContext): Promise<AppcmdRecord[]> {
  const states = await siteStates(context);
  const siteDefaults = context.document().find(`${SITES}/siteDefaults`);
  return siteNodes(context).map(({ element, name }) => {
    const id = element.get('id') ?? '';
    const bindings = bindingsText(element);
    const state = states?.get(name.toLowerCase()) ?? 'Unknown';
    return {
      objectType: 'SITE',
      identifier: name,
      summary: `id:${id},bindings:${bindings},state:${state}`,
      properties: [
        ['SITE.NAME', name],
        ['SITE.ID', id],
        ['bindings', bindings],
        ['state', state],
      ],
      element: explicitView(element),
      effectiveElement: effectiveView({ element, path: SITE_PATH, childNames: ['bindings', 'limits', 'logFile', 'traceFailedRequestsLogging'], defaults: [siteDefaults] }),
    };
  });
}

/** `http/*:81:,https/*:443:` → binding elements replacing the site's bindings. */
function writeBindings(site: ConfigElement, text: string): void {
  const bindings = site.child('bindings') ?? site.addChild('bindings');
  for (const binding of bindings.children('binding')) binding.remove();
  for (const item of text.split(',').map((part) => part.trim()).filter(Boolean)) {
    const slash = item.indexOf('/');
    if (slash <= 0) throw Errors.invalidValue(`Invalid binding "${item}": write it as protocol/bindingInformation, e.g. http/*:80:`);
    bindings.addChild('binding', { protocol: item.slice(0, slash), bindingInformation: item.slice(slash + 1) });
  }
}

function requireSite(context: CommandContext, verb: string): { element: ConfigElement; name: string } {
  const name = context.identifier ?? propertyValue(context, 'site.name');
  if (name === undefined) throw Errors.mustUseExactIdentifier('SITE', verb);
  const site = findSite(context, name);
  if (!site) throw Errors.cannotFind('SITE', name);
  return site;
}

const add: VerbDefinition = {
  summary: 'Add new virtual site',
  usage: ['/name:<string>  site name (required)', '/id:<uint>  site id (the next free id when omitted)', '/bindings:<proto/ip:port:host,...>', '/physicalPath:<path>  creates the root application and virtual directory'],
  async run(context) {
    const name = propertyValue(context, 'name') ?? context.identifier;
    if (name === undefined || name.trim() === '') throw Errors.missingRequired("Missing required attribute 'name'.");
    if (/[/?]/.test(name)) throw Errors.invalidValue('Invalid site name');
    if (findSite(context, name)) throw Errors.duplicate(name);
    const existingIds = siteNodes(context).map((site) => Number(site.element.get('id') ?? 0));
    const id = propertyValue(context, 'id') ?? String(Math.max(0, ...existingIds) + 1);
    checkedValue(SITE_PATH, 'id', id);
    if (existingIds.includes(Number(id))) throw Errors.duplicate(id);
    const sites = context.document().ensure(SITES);
    const element = addAfterLast(sites, 'site', { name, id });
    const physicalPath = propertyValue(context, 'physicalPath');
    if (physicalPath !== undefined) {
      const application = element.addChild('application', { path: '/' });
      application.addChild('virtualDirectory', { path: '/', physicalPath });
    }
    const bindings = propertyValue(context, 'bindings');
    if (bindings !== undefined) writeBindings(element, bindings);
    for (const parameter of otherProperties(context, ['name', 'id', 'physicalPath', 'bindings'])) applyPropertyParameter({ element, path: SITE_PATH }, parameter);
    context.commit();
    context.write(`SITE object "${name}" added`);
    if (physicalPath !== undefined) {
      context.write(`APP object "${name}/" added`);
      context.write(`VDIR object "${virtualDirectoryName(name, '/', '/')}" added`);
    }
  },
};

const set: VerbDefinition = {
  summary: 'Configure virtual site',
  usage: ['<identifier>  site name, or /site.name:<name>', '/<attribute>:<value>  e.g. /serverAutoStart:false, /limits.connectionTimeout:00:01:00', "/+bindings.[protocol='http',bindingInformation='*:81:']", '/bindings:<proto/ip:port:host,...>  replaces every binding'],
  async run(context) {
    const site = requireSite(context, 'set');
    for (const parameter of otherProperties(context, ['site.name'])) {
      if (parameter.operation === 'set' && parameter.name.toLowerCase() === 'bindings') writeBindings(site.element, parameter.value ?? '');
      else applyPropertyParameter({ element: site.element, path: SITE_PATH }, parameter);
    }
    context.commit();
    context.write(`SITE object "${site.element.get('name') ?? site.name}" changed`);
  },
};

const remove: VerbDefinition = {
  summary: 'Delete virtual site',
  usage: ['<identifier>  site name'],
  async run(context) {
    const site = requireSite(context, 'delete');
    site.element.remove();
    context.commit();
    context.write(`SITE object "${site.name}" deleted`);
  },
};

function runtimeVerb(action: 'start' | 'stop'): VerbDefinition {
  return {
    summary: action === 'start' ? 'Start virtual site' : 'Stop virtual site',
    usage: ['<identifier>  site name, or /site.name:<name>, or /in'],
    async run(context) {
      const targets = await targetsOf(context, siteRecords);
      if (targets.length === 0 && !context.input) throw Errors.mustSpecify('SITE');
      for (const record of targets) {
        const state = record.properties.find(([key]) => key === 'state')?.[1];
        if (state === 'Unknown') throw Errors.serviceUnavailable();
        if (action === 'start' && state === 'Started') throw Errors.alreadyRunning();
        if (action === 'stop' && state === 'Stopped') throw Errors.notStarted();
        await context.runtime.request('w3svc', { type: action === 'start' ? 'StartSite' : 'StopSite', name: record.identifier });
        context.write(`"${record.identifier}" successfully ${action === 'start' ? 'started' : 'stopped'}.`);
      }
    },
  };
}

export const siteObject: ObjectTypeDefinition = {
  name: 'SITE',
  aliases: ['site', 'sites'],
  description: 'Administration of virtual sites',
  verbs: {
    list: listVerb(siteRecords, ['<identifier>  site name', '/<attribute>:<value>  filter, e.g. /state:Stopped, /serverAutoStart:false, /id:$>2']),
    set,
    add,
    delete: remove,
    start: runtimeVerb('start'),
    stop: runtimeVerb('stop'),
  },
};
