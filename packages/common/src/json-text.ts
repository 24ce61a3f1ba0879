// JSON files an administrator edits (the SSL store, the farm's ticket-key secret): parsed with JSON.parse,
// and on a syntax error located as line:column by a small scanner of JSON's grammar. V8's own message
// quotes the text around the fault ("Unexpected token 'x', "…" is not valid JSON"), which would copy a
// file's secrets into the log; this one names the place and what belongs there, and nothing of the text.

export interface JsonSyntaxFault {
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units as editors count them. */
  column: number;
  /** What the grammar expected there, e.g. `expected ',' or '}'`. */
  reason: string;
}

export type JsonTextResult = { ok: true; value: unknown } | { ok: false; fault: JsonSyntaxFault };

/** `file:line:column: reason` for a fault of `file`. */
export function formatJsonSyntaxFault(file: string, fault: JsonSyntaxFault): string {
  return `${file}:${fault.line}:${fault.column}: not valid JSON: ${fault.reason}`;
}

export function parseJsonText(text: string): JsonTextResult {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, fault: locateJsonSyntaxFault(text) };
  }
}

class Fault extends Error {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** The first place `text` departs from JSON's grammar (RFC 8259). Called only for a text JSON.parse refused. */
export function locateJsonSyntaxFault(text: string): JsonSyntaxFault {
  let offset: number;
  let reason: string;
  try {
    const end = skipWhitespace(text, scanValue(text, skipWhitespace(text, 0)));
    if (end < text.length) throw new Fault(end, 'unexpected text after the JSON value');
    offset = text.length;
    reason = 'not valid JSON';
  } catch (error) {
    if (!(error instanceof Fault)) throw error;
    offset = error.offset;
    reason = error.reason;
  }
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1, reason };
}

function skipWhitespace(text: string, i: number): number {
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
    i++;
  }
  return i;
}

function expect(text: string, i: number, what: string): never {
  throw new Fault(i, i >= text.length ? `the text ends where ${what} was expected` : `expected ${what}`);
}

/** Scans one value starting at `i` (no leading whitespace); returns the offset after it. */
function scanValue(text: string, i: number): number {
  const c = text[i];
  if (c === '{') return scanObject(text, i + 1);
  if (c === '[') return scanArray(text, i + 1);
  if (c === '"') return scanString(text, i + 1);
  if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return scanNumber(text, i);
  for (const word of ['true', 'false', 'null']) {
    if (text.startsWith(word, i)) return i + word.length;
  }
  return expect(text, i, 'a value (object, array, string, number, true, false or null)');
}

function scanObject(text: string, i: number): number {
  i = skipWhitespace(text, i);
  if (text[i] === '}') return i + 1;
  for (;;) {
    if (text[i] !== '"') expect(text, i, "a member name in double quotes");
    i = skipWhitespace(text, scanString(text, i + 1));
    if (text[i] !== ':') expect(text, i, "':' after the member name");
    i = skipWhitespace(text, scanValue(text, skipWhitespace(text, i + 1)));
    if (text[i] === '}') return i + 1;
    if (text[i] !== ',') expect(text, i, "',' or '}'");
    i = skipWhitespace(text, i + 1);
  }
}

function scanArray(text: string, i: number): number {
  i = skipWhitespace(text, i);
  if (text[i] === ']') return i + 1;
  for (;;) {
    i = skipWhitespace(text, scanValue(text, i));
    if (text[i] === ']') return i + 1;
    if (text[i] !== ',') expect(text, i, "',' or ']'");
    i = skipWhitespace(text, i + 1);
  }
}

function scanString(text: string, i: number): number {
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22) return i + 1;
    if (c < 0x20) throw new Fault(i, 'a control character inside a string (escape it, e.g. \\n)');
    if (c === 0x5c) {
      const escaped = text[i + 1];
      if (escaped === 'u') {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) throw new Fault(i, 'expected four hex digits after \\u');
        i += 6;
        continue;
      }
      if (escaped === undefined || !'"\\/bfnrt'.includes(escaped)) throw new Fault(i, 'an unknown escape (valid: \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)');
      i += 2;
      continue;
    }
    i++;
  }
  throw new Fault(i, 'the text ends inside a string (a closing " is missing)');
}

function scanNumber(text: string, i: number): number {
  const match = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/.exec(text.slice(i, i + 400));
  if (!match) expect(text, i, 'a number');
  return i + match[0].length;
}
