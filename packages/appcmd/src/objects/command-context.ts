// What every verb handler gets: the parsed command, the chosen output format, the configuration file,
// the running services, and records piped in with `/in`.
import type { ConfigDocument, ApplicationHostConfig } from '@poolhost/config';
import type { OutputOptions } from '../output/render-list.js';
import type { Parameter } from '../syntax/command-line.js';
import type { RuntimeClient } from '../runtime/runtime-client.js';
import type { InputRecord } from '../input/read-input.js';

export interface CommandContext {
  verb: string;
  /** Canonical object name (`SITE`). */
  objectType: string;
  identifier: string | undefined;
  /** Every parameter that is not a general one (properties, filters, `/+`, `/-`). */
  properties: Parameter[];
  /** General parameters not consumed by the framework (`section`, `commit`), by lower-case name. */
  general: Map<string, string | undefined>;
  output: OutputOptions;
  configFile: string;
  env: NodeJS.ProcessEnv;
  runtime: RuntimeClient;
  /** Objects read from stdin with `/in` (or `-`); undefined when not piping. */
  input: InputRecord[] | undefined;
  /** The configuration, opened once on first use. */
  document(): ConfigDocument;
  model(): ApplicationHostConfig;
  /** Validates and saves the edited configuration atomically. */
  commit(): void;
  write(line: string): void;
}

export interface VerbDefinition {
  /** One line for `appcmd <object> /?`. */
  summary: string;
  /** Parameter help for `appcmd <verb> <object> /?`. */
  usage: string[];
  run(context: CommandContext): Promise<void>;
}

export interface ObjectTypeDefinition {
  name: string;
  aliases: string[];
  description: string;
  verbs: Record<string, VerbDefinition>;
}

/** A property parameter by name (case-insensitive), e.g. `/name:` or `/site.name:`. */
export function propertyValue(context: CommandContext, name: string): string | undefined {
  const lower = name.toLowerCase();
  return context.properties.find((parameter) => parameter.operation === 'set' && parameter.name.toLowerCase() === lower)?.value;
}

/** The parameters left after removing the named ones (used as attributes or filters). */
export function otherProperties(context: CommandContext, names: string[]): Parameter[] {
  const skip = new Set(names.map((name) => name.toLowerCase()));
  return context.properties.filter((parameter) => !(parameter.operation === 'set' && skip.has(parameter.name.toLowerCase())));
}
