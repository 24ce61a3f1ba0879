// Property paths of appcmd parameters (reference §9.1): dotted element/attribute names with collection
// indexers, e.g. `processModel.idleTimeout`, `bindings.[protocol='http',bindingInformation='*:81:']`,
// `[name='Contoso'].recycling.periodicRestart.schedule.[value='03:00:00']`.

export interface NameStep {
  kind: 'name';
  name: string;
}

/** `[key='value',…]`: selects (or, as the last step of `/+`, describes) a collection item. */
export interface IndexerStep {
  kind: 'indexer';
  keys: Array<{ name: string; value: string }>;
}

export type PathStep = NameStep | IndexerStep;

export class PropertyPathError extends Error {}

/** Splits on `.` outside quotes and brackets. */
function splitSteps(text: string): string[] {
  const parts: string[] = [];
  let quote: string | null = null;
  let depth = 0;
  let current = '';
  for (const c of text) {
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '[') depth++;
    else if (c === ']') depth--;
    else if (c === '.' && depth === 0) {
      parts.push(current);
      current = '';
      continue;
    }
    current += c;
  }
  if (quote || depth !== 0) throw new PropertyPathError(`"${text}" has an unclosed quote or bracket`);
  parts.push(current);
  return parts;
}

/** Parses `key='value',key2='value2'` (values in single or double quotes, or bare up to the next comma). */
export function parseIndexerKeys(body: string): IndexerStep['keys'] {
  const keys: IndexerStep['keys'] = [];
  let i = 0;
  while (i < body.length) {
    while (body[i] === ' ' || body[i] === ',') i++;
    if (i >= body.length) break;
    const equals = body.indexOf('=', i);
    if (equals < 0) throw new PropertyPathError(`indexer "[${body}]" needs name='value' pairs`);
    const name = body.slice(i, equals).trim().replace(/^@/, '');
    i = equals + 1;
    let value: string;
    const quote = body[i];
    if (quote === "'" || quote === '"') {
      const end = body.indexOf(quote, i + 1);
      if (end < 0) throw new PropertyPathError(`indexer "[${body}]" has an unclosed quote`);
      value = body.slice(i + 1, end);
      i = end + 1;
    } else {
      const end = body.indexOf(',', i);
      value = (end < 0 ? body.slice(i) : body.slice(i, end)).trim();
      i = end < 0 ? body.length : end;
    }
    if (!name) throw new PropertyPathError(`indexer "[${body}]" has an empty attribute name`);
    keys.push({ name, value });
  }
  if (keys.length === 0) throw new PropertyPathError('an indexer "[...]" needs at least one name=\'value\' pair');
  return keys;
}

export function parsePropertyPath(text: string): PathStep[] {
  if (text.trim() === '') throw new PropertyPathError('empty property name');
  const steps: PathStep[] = [];
  for (const part of splitSteps(text)) {
    if (part === '') throw new PropertyPathError(`"${text}" has an empty step`);
    // `bindings[protocol='http']` is accepted as `bindings.[protocol='http']`.
    const bracket = part.indexOf('[');
    if (bracket > 0) {
      steps.push({ kind: 'name', name: part.slice(0, bracket) });
      steps.push(...parsePropertyPath(part.slice(bracket)));
      continue;
    }
    if (part.startsWith('[')) {
      if (!part.endsWith(']')) throw new PropertyPathError(`"${part}" must end with "]"`);
      steps.push({ kind: 'indexer', keys: parseIndexerKeys(part.slice(1, -1)) });
    } else {
      steps.push({ kind: 'name', name: part });
    }
  }
  return steps;
}

export function formatIndexer(step: IndexerStep): string {
  return `[${step.keys.map((key) => `${key.name}='${key.value}'`).join(',')}]`;
}
