// Which objects a verb applies to: the identifier (case-insensitive), records piped in with `/in`,
// and property filters (`/state:Started`, `/apppool.name:X`), all of which must match.
import type { AppcmdRecord } from '../output/record.js';
import { recordProperty } from '../output/record.js';
import { matchesFilter, parseFilter } from '../syntax/filter.js';
import type { Parameter } from '../syntax/command-line.js';
import type { InputRecord } from '../input/read-input.js';
import { Errors } from '../errors.js';

/** Synthesized identity properties (`SITE.NAME`, `APPPOOL.NAME`, `SITE.ID` …) link objects across types. */
const isIdentity = (name: string): boolean => /^[A-Z]+\.(NAME|ID)$/.test(name);

export function matchesInput(record: AppcmdRecord, input: InputRecord): boolean {
  const own = `${record.objectType}.NAME`;
  const ownValue = record.properties.find(([key]) => key === own)?.[1];
  const inputOwn = input.attributes.get(own);
  if (ownValue !== undefined && inputOwn !== undefined) return ownValue.toLowerCase() === inputOwn.toLowerCase();
  const shared = record.properties.filter(([key]) => isIdentity(key) && input.attributes.has(key));
  return shared.length > 0 && shared.every(([key, value]) => value.toLowerCase() === input.attributes.get(key)!.toLowerCase());
}

export interface SelectionOptions {
  objectType: string;
  identifier: string | undefined;
  input: InputRecord[] | undefined;
  filters: Parameter[];
}

export function selectRecords(records: AppcmdRecord[], options: SelectionOptions): AppcmdRecord[] {
  let selected = records;
  if (options.identifier !== undefined) {
    const wanted = options.identifier.toLowerCase();
    selected = selected.filter((record) => record.identifier.toLowerCase() === wanted);
    if (selected.length === 0) throw Errors.cannotFind(options.objectType, options.identifier);
  }
  if (options.input) {
    const input = options.input;
    selected = selected.filter((record) => input.some((item) => matchesInput(record, item)));
  }
  for (const parameter of options.filters) {
    if (parameter.operation !== 'set') throw Errors.badParameter(`"${parameter.raw}" is not a filter`);
    const filter = parseFilter(parameter.name, parameter.value ?? '');
    selected = selected.filter((record) => matchesFilter(filter, recordProperty(record, parameter.name)));
  }
  return selected;
}
