// A small hand-written XML scanner. fast-xml-parser checks well-formedness (and reports line:col);
// this scanner then builds the tree with exact offsets, which fast-xml-parser does not give.
// With `strict`, the scan also checks, as it goes, everything fast-xml-parser's validator refuses in a
// text the plain scan accepts (xml-document.ts, parseXmlDocument): a strict scan that ends proves the
// validator would have passed the text, so it need not run; one that stops (XmlNotProven) proves
// nothing — the validator then judges, and words the error, as before. Checks are stricter than the
// validator where that is simpler (ASCII names only, no DOCTYPE): a text they do not prove is only
// read the old way, never refused for it.

import { decodeXmlEntities } from './entities.js';
import type { XmlAttribute, XmlElement, XmlNode, XmlOtherNode } from './xml-node.js';

export class XmlScanError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const NAME_END = /[\s/>=]/;

/** A strict scan's stop: the text may be well-formed, but this scan does not prove it (see the top). */
export class XmlNotProven extends XmlScanError {}

/** Within the validator's names (its isName): [A-Za-z_:][A-Za-z0-9_:.-]*, ASCII only. */
function isAsciiName(name: string): boolean {
  if (name.length === 0) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 /* _ */ || c === 58; /* : */
    if (letter || (i > 0 && ((c >= 48 && c <= 57) || c === 45 /* - */ || c === 46) /* . */)) continue;
    return false;
  }
  return true;
}

/** The validator's four white-space characters (its isWhiteSpace), not \s. */
function isXmlSpaceOnly(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (!isSpace(text.charCodeAt(i))) return false;
  return true;
}

/** What the validator accepts after `&` in content: a character reference or a name of 1–20 \w, then `;` (stricter: at least one digit). */
const ENTITY_REFERENCE = /&(?:#[0-9]+|#x[0-9a-fA-F]+|[A-Za-z0-9_]{1,20});/y;

function checkContentText(text: string, from: number, to: number): void {
  for (let amp = text.indexOf('&', from); amp >= 0 && amp < to; amp = text.indexOf('&', amp + 1)) {
    ENTITY_REFERENCE.lastIndex = amp;
    if (!ENTITY_REFERENCE.test(text) || ENTITY_REFERENCE.lastIndex > to) throw new XmlNotProven('an "&" that is not a reference', amp);
  }
}

export interface ScanResult {
  /** Top-level nodes (prolog, comments, the root element, trailing whitespace). */
  nodes: XmlNode[];
  root: XmlElement | undefined;
}

/** A comment body at least this long is one the validator need not read again (xml-document.ts, validateXml). */
export const LONG_COMMENT_BODY = 4096;

/**
 * Scans `text` from `from` to `to`; nodes found at the top level get `parent` as their parent.
 * `longComments` collects [body start, body end) of each comment with a body of LONG_COMMENT_BODY or more
 * that the scan reads to its end, also when it stops later.
 */
export function scanXml(text: string, from = 0, to = text.length, parent?: XmlElement, strict = false, longComments?: number[]): ScanResult {
  const nodes: XmlNode[] = [];
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let i = from;

  const current = (): XmlElement | undefined => stack[stack.length - 1] ?? parent;
  const push = (node: XmlNode): void => {
    const owner = stack[stack.length - 1];
    if (owner) owner.children.push(node);
    else nodes.push(node);
  };
  const other = (kind: XmlOtherNode['kind'], start: number, end: number): void => {
    push({ kind, start, end, parent: current() });
  };
  const expect = (token: string, at: number): number => {
    const found = text.indexOf(token, at);
    if (found < 0 || found >= to) throw new XmlScanError(`unterminated markup, expected "${token}"`, at);
    return found + token.length;
  };

  while (i < to) {
    if (text.charCodeAt(i) !== 60 /* < */) {
      const next = text.indexOf('<', i);
      const end = next < 0 || next > to ? to : next;
      if (strict) {
        // Outside the root: white space only (a byte order mark first in the file aside); inside: references.
        if (stack.length === 0 && !parent) {
          if (!isXmlSpaceOnly(text, i === 0 && text.charCodeAt(0) === 0xfeff ? 1 : i, end)) throw new XmlNotProven('text outside the root element', i);
        } else checkContentText(text, i, end);
      }
      other('text', i, end);
      i = end;
      continue;
    }
    if (text.startsWith('<!--', i)) {
      const end = expect('-->', i + 4);
      if (longComments && end - 3 - (i + 4) >= LONG_COMMENT_BODY) longComments.push(i + 4, end - 3);
      other('comment', i, end);
      i = end;
    } else if (text.startsWith('<![CDATA[', i)) {
      const end = expect(']]>', i + 9);
      if (strict && stack.length === 0 && !parent) throw new XmlNotProven('CDATA outside the root element', i);
      other('cdata', i, end);
      i = end;
    } else if (text.startsWith('<?', i)) {
      const end = expect('?>', i + 2);
      // The validator refuses an XML declaration anywhere but first (after a byte order mark).
      if (strict && text.slice(i + 2, i + 5).toLowerCase() === 'xml' && i !== (text.charCodeAt(0) === 0xfeff ? 1 : 0)) {
        throw new XmlNotProven('an XML declaration that is not first', i);
      }
      other('instruction', i, end);
      i = end;
    } else if (text.startsWith('<!', i)) {
      const end = scanDoctype(text, i, to);
      // The validator reads a DOCTYPE (and any other `<!`) its own way.
      if (strict) throw new XmlNotProven('a DOCTYPE', i);
      other('doctype', i, end);
      i = end;
    } else if (text.startsWith('</', i)) {
      const close = expect('>', i + 2);
      const name = text.slice(i + 2, close - 1).trim();
      const open = stack.pop();
      if (!open || open.name !== name) throw new XmlScanError(`unexpected closing tag </${name}>`, i);
      // The validator: the name right after `</`, then its white space only.
      if (strict && !(text.startsWith(name, i + 2) && isXmlSpaceOnly(text, i + 2 + name.length, close - 1))) throw new XmlNotProven('a closing tag', i);
      open.closeStart = i;
      open.end = close;
      i = close;
    } else {
      const element = scanStartTag(text, i, to, current(), strict);
      // XML 1.0 §2.1: exactly one root element.
      if (!stack.length && !parent && root) throw new XmlScanError(`a second root element <${element.name}> after </${root.name}>`, i);
      push(element);
      if (!stack.length && !parent && !root) root = element;
      if (!element.selfClosing) stack.push(element);
      i = element.openEnd;
    }
  }
  if (stack.length) throw new XmlScanError(`element <${stack[stack.length - 1]!.name}> is not closed`, stack[stack.length - 1]!.start);
  if (strict && !parent && !root) throw new XmlNotProven('no root element', from);
  return { nodes, root };
}

function scanDoctype(text: string, start: number, to: number): number {
  let depth = 0;
  for (let i = start + 2; i < to; i++) {
    const c = text[i];
    if (c === '[') depth++;
    else if (c === ']') depth--;
    else if (c === '>' && depth <= 0) return i + 1;
  }
  throw new XmlScanError('unterminated <!DOCTYPE>', start);
}

function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13;
}

function scanStartTag(text: string, start: number, to: number, parent: XmlElement | undefined, strict: boolean): XmlElement {
  let i = start + 1;
  while (i < to && !NAME_END.test(text[i]!)) i++;
  const element: XmlElement = {
    kind: 'element',
    name: text.slice(start + 1, i),
    attributes: [],
    children: [],
    parent,
    start,
    end: -1,
    nameEnd: i,
    openEnd: -1,
    closeStart: -1,
    selfClosing: false,
  };
  if (!element.name) throw new XmlScanError('missing element name', start);
  // The validator reads a name up to white space or `>` and checks it; `/` ends it only as `/>`.
  if (strict && (!isAsciiName(element.name) || !(i < to && (isSpace(text.charCodeAt(i)) || text[i] === '>' || text.startsWith('/>', i))))) {
    throw new XmlNotProven('an element name', start);
  }
  for (;;) {
    const spaceFrom = i;
    while (i < to && isSpace(text.charCodeAt(i))) i++;
    if (i >= to) throw new XmlScanError(`start tag <${element.name}> is not closed`, start);
    if (text[i] === '>') {
      element.openEnd = i + 1;
      return element;
    }
    if (text.startsWith('/>', i)) {
      element.selfClosing = true;
      element.openEnd = i + 2;
      element.closeStart = i + 2;
      element.end = i + 2;
      return element;
    }
    const attribute = scanAttribute(text, i, to);
    // The validator: white space before each attribute, a valid name, none twice.
    if (strict && (i === spaceFrom || !isAsciiName(attribute.name) || element.attributes.some((other) => other.name === attribute.name))) {
      throw new XmlNotProven('an attribute', i);
    }
    element.attributes.push(attribute);
    i = attribute.end;
  }
}

function scanAttribute(text: string, start: number, to: number): XmlAttribute {
  let i = start;
  while (i < to && !NAME_END.test(text[i]!)) i++;
  const name = text.slice(start, i);
  while (i < to && isSpace(text.charCodeAt(i))) i++;
  if (!name || text[i] !== '=') throw new XmlScanError(`attribute "${name}" has no value`, start);
  i++;
  while (i < to && isSpace(text.charCodeAt(i))) i++;
  const quote = text[i];
  if (quote !== '"' && quote !== "'") throw new XmlScanError(`attribute "${name}" value is not quoted`, i);
  const valueStart = i + 1;
  const valueEnd = text.indexOf(quote, valueStart);
  if (valueEnd < 0 || valueEnd >= to) throw new XmlScanError(`attribute "${name}" value is not closed`, i);
  // XML attribute-value normalisation: literal whitespace characters become spaces.
  const value = decodeXmlEntities(text.slice(valueStart, valueEnd).replace(/\r\n|[\r\n\t]/g, ' '));
  return { name, value, quote, start, end: valueEnd + 1, valueStart, valueEnd };
}
