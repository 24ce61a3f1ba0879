// A small hand-written XML scanner. fast-xml-parser checks well-formedness (and reports line:col);
// this scanner then builds the tree with exact offsets, which fast-xml-parser does not give.

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

interface ScanResult {
  /** Top-level nodes (prolog, comments, the root element, trailing whitespace). */
  nodes: XmlNode[];
  root: XmlElement | undefined;
}

/** Scans `text` from `from` to `to`; nodes found at the top level get `parent` as their parent. */
export function scanXml(text: string, from = 0, to = text.length, parent?: XmlElement): ScanResult {
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
      other('text', i, end);
      i = end;
      continue;
    }
    if (text.startsWith('<!--', i)) {
      const end = expect('-->', i + 4);
      other('comment', i, end);
      i = end;
    } else if (text.startsWith('<![CDATA[', i)) {
      const end = expect(']]>', i + 9);
      other('cdata', i, end);
      i = end;
    } else if (text.startsWith('<?', i)) {
      const end = expect('?>', i + 2);
      other('instruction', i, end);
      i = end;
    } else if (text.startsWith('<!', i)) {
      const end = scanDoctype(text, i, to);
      other('doctype', i, end);
      i = end;
    } else if (text.startsWith('</', i)) {
      const close = expect('>', i + 2);
      const name = text.slice(i + 2, close - 1).trim();
      const open = stack.pop();
      if (!open || open.name !== name) throw new XmlScanError(`unexpected closing tag </${name}>`, i);
      open.closeStart = i;
      open.end = close;
      i = close;
    } else {
      const element = scanStartTag(text, i, to, current());
      // XML 1.0 §2.1: exactly one root element.
      if (!stack.length && !parent && root) throw new XmlScanError(`a second root element <${element.name}> after </${root.name}>`, i);
      push(element);
      if (!stack.length && !parent && !root) root = element;
      if (!element.selfClosing) stack.push(element);
      i = element.openEnd;
    }
  }
  if (stack.length) throw new XmlScanError(`element <${stack[stack.length - 1]!.name}> is not closed`, stack[stack.length - 1]!.start);
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

function scanStartTag(text: string, start: number, to: number, parent: XmlElement | undefined): XmlElement {
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
  for (;;) {
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
    element.attributes.push(scanAttribute(text, i, to));
    i = element.attributes[element.attributes.length - 1]!.end;
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
