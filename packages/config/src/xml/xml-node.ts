// The one XML tree poolhost keeps for a config file. Every node records string offsets into the
// document text, so the model builder can report line:column and the editor can splice text in
// place without touching the bytes around an edit.

export interface XmlAttribute {
  name: string;
  /** Decoded value (entities resolved). */
  value: string;
  quote: '"' | "'";
  /** Offset of the first character of the name. */
  start: number;
  /** Offset just past the closing quote. */
  end: number;
  /** Offset of the first character inside the quotes. */
  valueStart: number;
  /** Offset of the closing quote. */
  valueEnd: number;
}

export interface XmlElement {
  kind: 'element';
  name: string;
  attributes: XmlAttribute[];
  children: XmlNode[];
  parent: XmlElement | undefined;
  /** Offset of `<`. */
  start: number;
  /** Offset just past the element's last character (`>` of the end tag or of `/>`). */
  end: number;
  /** Offset just past the element name in the start tag. */
  nameEnd: number;
  /** Offset just past the `>` of the start tag. */
  openEnd: number;
  /** Offset of `</` (equal to `end` for a self-closing element). */
  closeStart: number;
  selfClosing: boolean;
}

/** Text, comments, CDATA, processing instructions and doctype: kept only as ranges. */
export interface XmlOtherNode {
  kind: 'text' | 'comment' | 'cdata' | 'instruction' | 'doctype';
  start: number;
  end: number;
  parent: XmlElement | undefined;
}

export type XmlNode = XmlElement | XmlOtherNode;

export function childElements(element: XmlElement, name?: string): XmlElement[] {
  const out: XmlElement[] = [];
  for (const child of element.children) {
    if (child.kind === 'element' && (name === undefined || child.name === name)) out.push(child);
  }
  return out;
}

export function firstChildElement(element: XmlElement, name: string): XmlElement | undefined {
  for (const child of element.children) {
    if (child.kind === 'element' && child.name === name) return child;
  }
  return undefined;
}

export function findAttribute(element: XmlElement, name: string): XmlAttribute | undefined {
  return element.attributes.find((attribute) => attribute.name === name);
}
