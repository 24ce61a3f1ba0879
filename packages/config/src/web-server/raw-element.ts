// Converts the XML tree into plain RawElement objects (JSON-safe, with positions), which is what the
// model carries for system.webServer sections and what web.config merging works on.

import type { LineIndex } from '../xml/line-index.js';
import type { XmlElement } from '../xml/xml-node.js';
import { childElements } from '../xml/xml-node.js';
import type { RawElement } from './model.js';

export function toRawElement(element: XmlElement, file: string, lines: LineIndex): RawElement {
  const attributes: Record<string, string> = {};
  for (const attribute of element.attributes) attributes[attribute.name] = attribute.value;
  return {
    name: element.name,
    attributes,
    children: childElements(element).map((child) => toRawElement(child, file, lines)),
    position: { file, ...lines.position(element.start) },
  };
}

export function rawChild(element: RawElement | undefined, name: string): RawElement | undefined {
  return element?.children.find((child) => child.name === name);
}

export function rawChildren(element: RawElement | undefined, name: string): RawElement[] {
  return element ? element.children.filter((child) => child.name === name) : [];
}
