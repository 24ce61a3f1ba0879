// LIST filters (reference §9.1): `/state:Started` keeps objects whose property equals the value,
// case-insensitively; several filters must all match. The IIS 7 range operators are supported too:
// `$>`, `$<`, `$>=`, `$<=` compare numerically (or as text), `$<>` is "not equal", `$=` is a `*`/`?` wildcard.

export type FilterOperator = '=' | '<>' | '>' | '<' | '>=' | '<=' | 'like';

export interface Filter {
  /** Property name as written (`state`, `apppool.name`, `processModel.idleTimeout`). */
  property: string;
  operator: FilterOperator;
  value: string;
}

const OPERATORS: Array<[string, FilterOperator]> = [
  ['$>=', '>='],
  ['$<=', '<='],
  ['$<>', '<>'],
  ['$>', '>'],
  ['$<', '<'],
  ['$=', 'like'],
];

export function parseFilter(property: string, text: string): Filter {
  for (const [prefix, operator] of OPERATORS) {
    if (text.startsWith(prefix)) return { property, operator, value: text.slice(prefix.length) };
  }
  return { property, operator: '=', value: text };
}

function compare(actual: string, expected: string): number {
  const a = Number(actual);
  const b = Number(expected);
  if (actual.trim() !== '' && expected.trim() !== '' && Number.isFinite(a) && Number.isFinite(b)) return a - b;
  return actual.toLowerCase().localeCompare(expected.toLowerCase());
}

function wildcard(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

/** `actual` undefined means the object has no such property: only `<>` matches then. */
export function matchesFilter(filter: Filter, actual: string | undefined): boolean {
  if (actual === undefined) return filter.operator === '<>';
  switch (filter.operator) {
    case '=':
      return actual.toLowerCase() === filter.value.toLowerCase();
    case '<>':
      return actual.toLowerCase() !== filter.value.toLowerCase();
    case '>':
      return compare(actual, filter.value) > 0;
    case '<':
      return compare(actual, filter.value) < 0;
    case '>=':
      return compare(actual, filter.value) >= 0;
    case '<=':
      return compare(actual, filter.value) <= 0;
    case 'like':
      return wildcard(filter.value).test(actual);
  }
}
