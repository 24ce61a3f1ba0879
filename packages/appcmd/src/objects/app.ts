// APP: applications of every site (`<application path>` under `<site>`).
import { Errors } from '../errors.js';
import type { AppcmdRecord } from '../output/record.js';
import { explicitView, effectiveView } from '../configuration/element-view.js';
import { applyPropertyParameter, checkedValue } from '../configuration/property-edit.js';
import { listVerb } from './list-verb.js';
import { otherProperties, propertyValue, type CommandContext, type ObjectTypeDefinition, type VerbDefinition } from './command-context.js';
import { addAfterLast, APPLICATION_PATH, applicationName, applicationNodes, findApplication, findSite, SITES, virtualDirectoryName } from './site-tree.js';
import { urlPathProblem } from './url-path.js';

export async function applicationRecords(context: CommandContext): Promise<AppcmdRecord[]> {
  const model = context.model();
  const globalDefaults = context.document().find(`${SITES}/applicationDefaults`);
  return applicationNodes(context).map(({ site, element, path, name }) => {
    const modelSite = model.sites.find((candidate) => candidate.name.toLowerCase() === site.name.toLowerCase());
    const modelApplication = modelSite?.applications.find((candidate) => candidate.path.toLowerCase() === path.toLowerCase());
    const pool = modelApplication?.applicationPool ?? element.get('applicationPool') ?? '';
    return {
      objectType: 'APP',
      identifier: name,
      summary: `applicationPool:${pool}`,
      properties: [
        ['APP.NAME', name],
        ['APPPOOL.NAME', pool],
        ['SITE.NAME', site.name],
        ['path', path],
      ],
      element: explicitView(element),
      effectiveElement: effectiveView({ element, path: APPLICATION_PATH, defaults: [site.element.child('applicationDefaults'), globalDefaults] }),
    };
  });
}

function requireApplication(context: CommandContext, verb: string) {
  const name = context.identifier ?? propertyValue(context, 'app.name');
  if (name === undefined) throw Errors.mustUseExactIdentifier('APP', verb);
  const application = findApplication(context, name);
  if (!application) throw Errors.cannotFind('APP', name);
  return application;
}

const add: VerbDefinition = {
  summary: 'Add new application',
  usage: ['/site.name:<string>  site of the application (required)', '/path:<string>  virtual path, e.g. /app1 (required)', '/physicalPath:<path>  creates the root virtual directory', '/applicationPool:<name>'],
  async run(context) {
    const siteName = propertyValue(context, 'site.name') ?? context.identifier;
    const path = propertyValue(context, 'path');
    if (siteName === undefined) throw Errors.missingRequired("Missing required attribute 'site.name'.");
    if (path === undefined) throw Errors.missingRequired("Missing required attribute 'path'.");
    const site = findSite(context, siteName);
    if (!site) throw Errors.cannotFind('SITE', siteName);
    const problem = urlPathProblem(path);
    if (problem) throw Errors.invalidValue(`Invalid application path "${path}": ${problem}`);
    const name = applicationName(site.name, path);
    if (findApplication(context, name)) throw Errors.duplicate(name);
    const element = addAfterLast(site.element, 'application', { path });
    const pool = propertyValue(context, 'applicationPool');
    if (pool !== undefined) element.set('applicationPool', checkedValue(APPLICATION_PATH, 'applicationPool', pool));
    const physicalPath = propertyValue(context, 'physicalPath');
    if (physicalPath !== undefined) element.addChild('virtualDirectory', { path: '/', physicalPath });
    for (const parameter of otherProperties(context, ['site.name', 'path', 'physicalPath', 'applicationPool'])) applyPropertyParameter({ element, path: APPLICATION_PATH }, parameter);
    context.commit();
    context.write(`APP object "${name}" added`);
    if (physicalPath !== undefined) context.write(`VDIR object "${virtualDirectoryName(site.name, path, '/')}" added`);
  },
};

const set: VerbDefinition = {
  summary: 'Configure application',
  usage: ['<identifier>  application name, e.g. "Default Web Site/app1"', '/<attribute>:<value>  e.g. /applicationPool:MyAppPool'],
  async run(context) {
    const application = requireApplication(context, 'set');
    for (const parameter of otherProperties(context, ['app.name'])) applyPropertyParameter({ element: application.element, path: APPLICATION_PATH }, parameter);
    context.commit();
    context.write(`APP object "${application.name}" changed`);
  },
};

const remove: VerbDefinition = {
  summary: 'Delete application',
  usage: ['<identifier>  application name'],
  async run(context) {
    const application = requireApplication(context, 'delete');
    application.element.remove();
    context.commit();
    context.write(`APP object "${application.name}" deleted`);
  },
};

export const appObject: ObjectTypeDefinition = {
  name: 'APP',
  aliases: ['app', 'apps'],
  description: 'Administration of applications',
  verbs: {
    list: listVerb(applicationRecords, ['<identifier>  application name', '/site.name:<name>  applications of one site', '/apppool.name:<name>  applications of one pool']),
    set,
    add,
    delete: remove,
  },
};
