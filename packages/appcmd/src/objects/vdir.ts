// VDIR: virtual directories of every application (`<virtualDirectory>` under `<application>`).
import { Errors } from '../errors.js';
import type { AppcmdRecord } from '../output/record.js';
import { explicitView, effectiveView } from '../configuration/element-view.js';
import { applyPropertyParameter } from '../configuration/property-edit.js';
import { listVerb } from './list-verb.js';
import { otherProperties, propertyValue, type CommandContext, type ObjectTypeDefinition, type VerbDefinition } from './command-context.js';
import { addAfterLast, findApplication, findVirtualDirectory, SITES, VIRTUAL_DIRECTORY_PATH, virtualDirectoryName, virtualDirectoryNodes } from './site-tree.js';
import { urlPathProblem } from './url-path.js';

export async function virtualDirectoryRecords(context: CommandContext): Promise<AppcmdRecord[]> {
  const globalDefaults = context.document().find(`${SITES}/virtualDirectoryDefaults`);
  return virtualDirectoryNodes(context).map(({ application, element, path, name }) => {
    const physicalPath = element.get('physicalPath') ?? '';
    return {
      objectType: 'VDIR',
      identifier: name,
      summary: `physicalPath:${physicalPath}`,
      properties: [
        ['VDIR.NAME', name],
        ['APP.NAME', application.name],
        ['path', path],
        ['physicalPath', physicalPath],
      ],
      element: explicitView(element),
      effectiveElement: effectiveView({
        element,
        path: VIRTUAL_DIRECTORY_PATH,
        defaults: [application.element.child('virtualDirectoryDefaults'), application.site.element.child('virtualDirectoryDefaults'), globalDefaults],
      }),
    };
  });
}

function requireDirectory(context: CommandContext, verb: string) {
  const name = context.identifier ?? propertyValue(context, 'vdir.name');
  if (name === undefined) throw Errors.mustUseExactIdentifier('VDIR', verb);
  const directory = findVirtualDirectory(context, name);
  if (!directory) throw Errors.cannotFind('VDIR', name);
  return directory;
}

const add: VerbDefinition = {
  summary: 'Add new virtual directory',
  usage: ['/app.name:<string>  application of the directory (required)', '/path:<string>  path within the application, e.g. /vdir1 (required)', '/physicalPath:<path>'],
  async run(context) {
    const applicationName = propertyValue(context, 'app.name') ?? context.identifier;
    const path = propertyValue(context, 'path');
    if (applicationName === undefined) throw Errors.missingRequired("Missing required attribute 'app.name'.");
    if (path === undefined) throw Errors.missingRequired("Missing required attribute 'path'.");
    const application = findApplication(context, applicationName);
    if (!application) throw Errors.cannotFind('APP', applicationName);
    const problem = urlPathProblem(path);
    if (problem) throw Errors.invalidValue(`Invalid virtual directory path "${path}": ${problem}`);
    const name = virtualDirectoryName(application.site.name, application.path, path);
    if (findVirtualDirectory(context, name)) throw Errors.duplicate(name);
    const element = addAfterLast(application.element, 'virtualDirectory', { path });
    for (const parameter of otherProperties(context, ['app.name', 'path'])) applyPropertyParameter({ element, path: VIRTUAL_DIRECTORY_PATH }, parameter);
    context.commit();
    context.write(`VDIR object "${name}" added`);
  },
};

const set: VerbDefinition = {
  summary: 'Configure virtual directory',
  usage: ['<identifier>  virtual directory name, e.g. "Default Web Site/"', '/<attribute>:<value>  e.g. /physicalPath:/srv/www'],
  async run(context) {
    const directory = requireDirectory(context, 'set');
    for (const parameter of otherProperties(context, ['vdir.name'])) applyPropertyParameter({ element: directory.element, path: VIRTUAL_DIRECTORY_PATH }, parameter);
    context.commit();
    context.write(`VDIR object "${directory.name}" changed`);
  },
};

const remove: VerbDefinition = {
  summary: 'Delete virtual directory',
  usage: ['<identifier>  virtual directory name'],
  async run(context) {
    const directory = requireDirectory(context, 'delete');
    directory.element.remove();
    context.commit();
    context.write(`VDIR object "${directory.name}" deleted`);
  },
};

export const vdirObject: ObjectTypeDefinition = {
  name: 'VDIR',
  aliases: ['vdir', 'vdirs'],
  description: 'Administration of virtual directories',
  verbs: {
    list: listVerb(virtualDirectoryRecords, ['<identifier>  virtual directory name', '/app.name:<name>  directories of one application', '/text:physicalPath  bare paths']),
    set,
    add,
    delete: remove,
  },
};
