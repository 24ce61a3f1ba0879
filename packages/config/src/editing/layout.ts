// The file's own layout conventions, so added elements look like their neighbours.

import type { XmlElement } from '../xml/xml-node.js';
import { childElements } from '../xml/xml-node.js';

export function detectLineEnding(text: string): string {
  const lf = text.indexOf('\n');
  return lf > 0 && text[lf - 1] === '\r' ? '\r\n' : '\n';
}

/** Whitespace between the start of the element's line and `<`, or '' when something else precedes it. */
export function indentationOf(text: string, element: XmlElement): string {
  let i = element.start;
  while (i > 0 && (text[i - 1] === ' ' || text[i - 1] === '\t')) i--;
  if (i > 0 && text[i - 1] !== '\n') return '';
  return text.slice(i, element.start);
}

/** The indentation step of the file (difference between a child's and its parent's indentation); 4 spaces by default, as IIS writes. */
export function detectIndentUnit(text: string, root: XmlElement): string {
  const stack: XmlElement[] = [root];
  while (stack.length) {
    const element = stack.pop()!;
    const parentIndent = indentationOf(text, element);
    for (const child of childElements(element)) {
      const childIndent = indentationOf(text, child);
      if (childIndent.length > parentIndent.length && childIndent.startsWith(parentIndent)) return childIndent.slice(parentIndent.length);
      stack.push(child);
    }
  }
  return '    ';
}
