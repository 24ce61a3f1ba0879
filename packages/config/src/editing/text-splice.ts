// Applies one text replacement to a document and moves every recorded offset after it, so the tree
// stays exact without re-scanning. Start offsets at the splice point move (the node now begins after
// inserted text); end offsets at the splice point stay (the node ended before it).

import type { XmlElement, XmlNode } from '../xml/xml-node.js';

export interface SpliceTarget {
  text: string;
  nodes: XmlNode[];
}

export function spliceText(target: SpliceTarget, start: number, end: number, replacement: string): void {
  const delta = replacement.length - (end - start);
  target.text = target.text.slice(0, start) + replacement + target.text.slice(end);
  if (delta === 0) return;
  const moveStart = (offset: number): number => (offset >= end ? offset + delta : offset);
  const moveEnd = (offset: number): number => (offset > start && offset >= end ? offset + delta : offset);
  const visit = (node: XmlNode): void => {
    node.start = moveStart(node.start);
    node.end = moveEnd(node.end);
    if (node.kind !== 'element') return;
    const element: XmlElement = node;
    element.nameEnd = moveEnd(element.nameEnd);
    element.openEnd = moveEnd(element.openEnd);
    element.closeStart = element.selfClosing ? element.end : moveStart(element.closeStart);
    for (const attribute of element.attributes) {
      attribute.start = moveStart(attribute.start);
      attribute.valueStart = moveStart(attribute.valueStart);
      attribute.valueEnd = moveEnd(attribute.valueEnd);
      attribute.end = moveEnd(attribute.end);
    }
    for (const child of element.children) visit(child);
  };
  for (const node of target.nodes) visit(node);
}
