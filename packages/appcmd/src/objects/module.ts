// MODULE: the `system.webServer/modules` entries at the server level (applicationHost.config, outside
// or in `<location path="">`), or, with `/app.name:`, in that application's `<location>` tag.
// A module without `type` is native (registered in globalModules); one with `type` is managed.
import type { ConfigElement } from '@poolhost/config';
import { Errors } from '../errors.js';
import type { AppcmdRecord } from '../output/record.js';
import { explicitView, effectiveView } from '../configuration/element-view.js';
import { applyPropertyParameter } from '../configuration/property-edit.js';
import { selectFrom } from './list-verb.js';
import { renderList } from '../output/render-list.js';
import { otherProperties, propertyValue, type CommandContext, type ObjectTypeDefinition, type VerbDefinition } from './command-context.js';

const SECTION = 'system.webServer/modules';
const ENTRY_PATH = `${SECTION}/add`;

/** The `<modules>` elements that apply at a level: global first, then the location's own. */
function moduleSections(context: CommandContext, locationPath: string | undefined): ConfigElement[] {
  const document = context.document();
  const sections: ConfigElement[] = [...document.findAll(SECTION)];
  for (const location of document.root.children('location')) {
    const path = (location.get('path') ?? '').replace(/\/$/, '').toLowerCase();
    const atServer = path === '' || path === '.';
    const wanted = locationPath === undefined ? atServer : atServer || path === locationPath.toLowerCase();
    if (!wanted) continue;
    sections.push(...(location.child('system.webServer')?.children('modules') ?? []));
  }
  return sections;
}

function effectiveEntries(sections: ConfigElement[]): ConfigElement[] {
  let entries: ConfigElement[] = [];
  for (const section of sections) {
    for (const directive of section.children()) {
      const key = (directive.get('name') ?? '').toLowerCase();
      if (directive.name === 'clear') entries = [];
      else if (directive.name === 'remove') entries = entries.filter((entry) => (entry.get('name') ?? '').toLowerCase() !== key);
      else if (directive.name === 'add') entries = [...entries.filter((entry) => (entry.get('name') ?? '').toLowerCase() !== key), directive];
    }
  }
  return entries;
}

function locationOf(context: CommandContext): string | undefined {
  const application = propertyValue(context, 'app.name');
  return application === undefined ? undefined : application.replace(/\/$/, '');
}

export function moduleRecord(entry: ConfigElement): AppcmdRecord {
  const name = entry.get('name') ?? '';
  const type = entry.get('type') ?? '';
  const preCondition = entry.get('preCondition') ?? '';
  return {
    objectType: 'MODULE',
    identifier: name,
    summary: type === '' ? ` native, preCondition:${preCondition} ` : ` type:${type}, preCondition:${preCondition} `,
    properties: [
      ['MODULE.NAME', name],
      ['type', type],
      ['preCondition', preCondition],
    ],
    element: explicitView(entry),
    effectiveElement: effectiveView({ element: entry, path: ENTRY_PATH }),
  };
}

async function moduleRecords(context: CommandContext): Promise<AppcmdRecord[]> {
  return effectiveEntries(moduleSections(context, locationOf(context))).map(moduleRecord);
}

/** The `<modules>` element edits go to: global, or `<location path="<app>"><system.webServer><modules>`. */
function targetSection(context: CommandContext): ConfigElement {
  const location = locationOf(context);
  const document = context.document();
  if (location === undefined) return document.find(SECTION) ?? document.ensure(SECTION);
  const tag = document.location(location, { create: true })!;
  const webServer = tag.child('system.webServer') ?? tag.addChild('system.webServer');
  return webServer.child('modules') ?? webServer.addChild('modules');
}

function findOwnEntry(section: ConfigElement, name: string): ConfigElement | undefined {
  return section.children('add').find((entry) => (entry.get('name') ?? '').toLowerCase() === name.toLowerCase());
}

const list: VerbDefinition = {
  summary: 'List modules',
  usage: ['<identifier>  module name', '/app.name:<name>  modules of one application', '/type:<type>  filter'],
  async run(context) {
    const filters = otherProperties(context, ['app.name']);
    const records = selectFrom(context, await moduleRecords(context), filters);
    for (const line of renderList(records, context.output)) context.write(line);
  },
};

const add: VerbDefinition = {
  summary: 'Add a module',
  usage: ['/name:<string>  module name (required)', '/type:<string>  managed type (a native module has none)', '/preCondition:<string>', '/app.name:<name>  enable for one application only'],
  async run(context) {
    const name = propertyValue(context, 'name') ?? context.identifier;
    if (name === undefined) throw Errors.missingRequired("Missing required attribute 'name'.");
    if (effectiveEntries(moduleSections(context, locationOf(context))).some((entry) => (entry.get('name') ?? '').toLowerCase() === name.toLowerCase())) {
      throw Errors.duplicate(name);
    }
    const section = targetSection(context);
    const element = section.addChild('add', { name });
    for (const parameter of otherProperties(context, ['name', 'app.name'])) applyPropertyParameter({ element, path: ENTRY_PATH }, parameter);
    context.commit();
    context.write(`MODULE object "${name}" added`);
  },
};

function requireOwn(context: CommandContext, verb: string): { section: ConfigElement; entry: ConfigElement; name: string } {
  const name = context.identifier ?? propertyValue(context, 'module.name');
  if (name === undefined) throw Errors.mustUseExactIdentifier('MODULE', verb);
  const section = targetSection(context);
  const entry = findOwnEntry(section, name);
  if (!entry) throw Errors.cannotFind('MODULE', name);
  return { section, entry, name: entry.get('name') ?? name };
}

const set: VerbDefinition = {
  summary: 'Configure a module',
  usage: ['<identifier>  module name', '/type:<string>, /preCondition:<string>', '/app.name:<name>'],
  async run(context) {
    const { entry, name } = requireOwn(context, 'set');
    for (const parameter of otherProperties(context, ['module.name', 'app.name'])) applyPropertyParameter({ element: entry, path: ENTRY_PATH }, parameter);
    context.commit();
    context.write(`MODULE object "${name}" changed`);
  },
};

const remove: VerbDefinition = {
  summary: 'Delete a module',
  usage: ['<identifier>  module name', '/app.name:<name>'],
  async run(context) {
    const { entry, name } = requireOwn(context, 'delete');
    entry.remove();
    context.commit();
    context.write(`MODULE object "${name}" deleted`);
  },
};

export const moduleObject: ObjectTypeDefinition = {
  name: 'MODULE',
  aliases: ['module', 'modules'],
  description: 'Administration of server modules',
  verbs: { list, set, add, delete: remove },
};
