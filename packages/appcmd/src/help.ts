// `/?` at every level (reference §9.1): `appcmd /?` lists objects and general parameters,
// `appcmd <object> /?` its verbs, `appcmd <verb> <object> /?` the verb's parameters.
import type { ObjectTypeDefinition } from './objects/command-context.js';

const GENERAL = [
  'General parameters:',
  '/?               Display context-sensitive help message.',
  '',
  '/text<:value>    Generate output in text format (default).',
  '                 /text:* shows all object properties in detail view.',
  '                 /text:<attribute> shows the value of the specified',
  '                 attribute for each object.',
  '/xml             Generate output in XML format.',
  '                 Use this to produce output that can be sent to another',
  '                 command running in /in mode.',
  '/in or -         Read and operate on XML input from standard input.',
  '                 Use this to operate on input produced by another',
  '                 command running in /xml mode.',
  '/config<:*>      Show configuration for displayed objects.',
  '                 /config:* also includes inherited configuration.',
  '/apphostconfig:<file>  Use this applicationHost.config (default: $POOLHOST_CONFIG,',
  '                 then the file the running server serves, then ./applicationHost.config).',
  '',
  'Use "!" to escape parameters that have same names as the general',
  'parameters, like "/!debug:value" to set a config property named "debug".',
];

export function topLevelHelp(objects: ObjectTypeDefinition[]): string[] {
  return [
    'General purpose IIS command line administration tool.',
    '',
    'APPCMD (command) (object-type) <identifier> < /parameter1:value1 ... >',
    '',
    'Supported object types:',
    '',
    ...objects.map((object) => `  ${object.name.padEnd(10)}${object.description}`),
    '',
    '(To list commands supported by each object use /?, e.g. \'appcmd site /?\')',
    '',
    ...GENERAL,
  ];
}

export function objectHelp(object: ObjectTypeDefinition): string[] {
  return [
    `Administration of ${object.name} objects: ${object.description.replace(/^Administration of /, '')}`,
    '',
    `APPCMD (command) ${object.name} <identifier> < /parameter1:value1 ... >`,
    '',
    'Supported commands:',
    '',
    ...Object.entries(object.verbs).map(([verb, definition]) => `  ${verb.padEnd(10)}${definition.summary}`),
    '',
    `(To get help for each command use /?, e.g. 'appcmd ${Object.keys(object.verbs)[0]} ${object.name.toLowerCase()} /?'.)`,
  ];
}

export function verbHelp(verb: string, object: ObjectTypeDefinition): string[] {
  const definition = object.verbs[verb]!;
  return [
    `${definition.summary}`,
    '',
    `APPCMD ${verb.toUpperCase()} ${object.name} <identifier> < /parameter:value ... >`,
    '',
    ...definition.usage.map((line) => `  ${line}`),
  ];
}
