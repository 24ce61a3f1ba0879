// appcmd's command line (reference §9.1): `APPCMD (command) (object-type) <identifier> </parameter:value ...>`.
// The shell has already split and unquoted the words; this module classifies them. Parameters start with
// `/` or `-` (interchangeable), `/+path` adds a collection item, `/-path` removes one, `/!name:value`
// escapes a property whose name collides with a general parameter, and a lone `-` means `/in`.

export type ParameterOperation = 'set' | 'add' | 'remove';

export interface Parameter {
  operation: ParameterOperation;
  /** Property path or general parameter name as written, e.g. `processModel.idleTimeout`, `[name='x'].type`. */
  name: string;
  /** Text after the first `:` outside quotes and brackets; undefined when there is none (`/xml`, `/+[…]`). */
  value: string | undefined;
  /** Written as `/!name`: always a property, never a general parameter. */
  escaped: boolean;
  /** The word as given, for error messages. */
  raw: string;
}

export interface CommandLine {
  /** First word, lower-cased (`list`, `add`, …); '' when absent. */
  verb: string;
  /** Second word as written (`sites`, `AppPool`); '' when absent. */
  objectType: string;
  identifier: string | undefined;
  parameters: Parameter[];
  /** `/?` or `-?` appeared anywhere. */
  help: boolean;
}

export class CommandLineError extends Error {}

/** Index of the first `:` outside single/double quotes and `[...]`, or -1. */
export function findValueSeparator(text: string): number {
  let quote: string | null = null;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '[') depth++;
    else if (c === ']') depth = Math.max(0, depth - 1);
    else if (c === ':' && depth === 0) return i;
  }
  return -1;
}

/** Removes one pair of surrounding double quotes, as cmd.exe would have (`/maxCrashes:"5"`). */
export function unquote(text: string): string {
  return text.length >= 2 && text.startsWith('"') && text.endsWith('"') ? text.slice(1, -1) : text;
}

/**
 * A word starting with `/` is a parameter, except a Linux path given as identifier (`/var/log/x.xml`):
 * its name part (before any `:`) contains another `/` and is not an indexer or collection operation.
 */
function looksLikeParameter(word: string): boolean {
  if (word === '-') return true;
  if (word.startsWith('-')) return word.length > 1;
  if (!word.startsWith('/')) return false;
  const body = word.slice(1);
  if (body.startsWith('+') || body.startsWith('-') || body.startsWith('[') || body.startsWith('!') || body.startsWith('?')) return true;
  const separator = findValueSeparator(body);
  const name = separator < 0 ? body : body.slice(0, separator);
  return !name.includes('/');
}

export function parseParameter(word: string): Parameter {
  if (word === '-') return { operation: 'set', name: 'in', value: undefined, escaped: false, raw: word };
  let body = unquote(word).slice(1);
  let operation: ParameterOperation = 'set';
  let escaped = false;
  if (body.startsWith('+')) {
    operation = 'add';
    body = body.slice(1);
  } else if (body.startsWith('-')) {
    operation = 'remove';
    body = body.slice(1);
  } else if (body.startsWith('!')) {
    escaped = true;
    body = body.slice(1);
  }
  body = unquote(body);
  if (body === '') throw new CommandLineError(`The parameter '${word}' must begin with a / or - and name a property`);
  const separator = findValueSeparator(body);
  if (separator < 0) return { operation, name: body, value: undefined, escaped, raw: word };
  return { operation, name: body.slice(0, separator), value: unquote(body.slice(separator + 1)), escaped, raw: word };
}

export function parseCommandLine(words: readonly string[]): CommandLine {
  const line: CommandLine = { verb: '', objectType: '', identifier: undefined, parameters: [], help: false };
  const positional: string[] = [];
  for (const word of words) {
    if (word === '/?' || word === '-?' || word === '/h' || word === '-h') {
      line.help = true;
      continue;
    }
    if (looksLikeParameter(word)) {
      line.parameters.push(parseParameter(word));
      continue;
    }
    positional.push(word);
  }
  line.verb = (positional[0] ?? '').toLowerCase();
  line.objectType = positional[1] ?? '';
  if (positional.length > 2) line.identifier = positional[2];
  if (positional.length > 3) {
    throw new CommandLineError(`The parameter '${positional[3]}' must begin with a / or - (HRESULT=80070057).`);
  }
  return line;
}
