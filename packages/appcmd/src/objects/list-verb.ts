// The LIST verb shared by every object: build records, select, print in the chosen format.
import { renderList } from '../output/render-list.js';
import type { AppcmdRecord } from '../output/record.js';
import { selectRecords } from './selection.js';
import type { CommandContext, VerbDefinition } from './command-context.js';
import type { Parameter } from '../syntax/command-line.js';

export function selectFrom(context: CommandContext, records: AppcmdRecord[], filters: Parameter[] = context.properties): AppcmdRecord[] {
  return selectRecords(records, { objectType: context.objectType, identifier: context.identifier, input: context.input, filters });
}

export function listVerb(
  build: (context: CommandContext) => Promise<AppcmdRecord[]>,
  usage: string[],
  options: { filters?: (context: CommandContext) => Parameter[] } = {},
): VerbDefinition {
  return {
    summary: 'List objects',
    usage,
    async run(context) {
      const records = selectFrom(context, await build(context), options.filters?.(context) ?? context.properties);
      for (const line of renderList(records, context.output)) context.write(line);
    },
  };
}

/** The identifiers a non-list verb acts on: the identifier, `/<TYPE>.NAME:` or the names piped in with `/in`. */
export async function targetsOf(context: CommandContext, build: (context: CommandContext) => Promise<AppcmdRecord[]>): Promise<AppcmdRecord[]> {
  const records = await build(context);
  const named = context.identifier ?? context.properties.find((p) => p.operation === 'set' && p.name.toLowerCase() === `${context.objectType}.name`.toLowerCase())?.value;
  if (named !== undefined) return selectRecords(records, { objectType: context.objectType, identifier: named, input: undefined, filters: [] });
  if (context.input) return selectRecords(records, { objectType: context.objectType, identifier: undefined, input: context.input, filters: [] });
  return [];
}
