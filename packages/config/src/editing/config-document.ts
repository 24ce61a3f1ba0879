// An editable applicationHost.config / web.config. Edits are text splices on the one XML tree, so
// comments, element order, whitespace, line endings and every untouched attribute keep their exact
// bytes; save() writes atomically. appcmd's set/add/delete verbs are built on this.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ApplicationHostConfig } from '../model.js';
import { buildApplicationHostConfig, parseOrThrow, type LoadOptions } from '../application-host/load-application-host-config.js';
import { encodeXmlAttribute } from '../xml/entities.js';
import { LineIndex } from '../xml/line-index.js';
import { scanXml } from '../xml/scan-xml.js';
import { decodeConfigBytes, type TextEncoding, type XmlDocument } from '../xml/xml-document.js';
import type { XmlAttribute, XmlElement } from '../xml/xml-node.js';
import { childElements, findAttribute } from '../xml/xml-node.js';
import { writeFileAtomic } from './atomic-write.js';
import { detectIndentUnit, detectLineEnding, indentationOf } from './layout.js';
import { spliceText } from './text-splice.js';

/** Attribute values identifying a collection entry, e.g. `{ name: 'DefaultAppPool' }`. */
export type CollectionKey = Record<string, string>;

const matches = (element: XmlElement, key: CollectionKey | undefined): boolean =>
  !key || Object.entries(key).every(([name, value]) => findAttribute(element, name)?.value.toLowerCase() === value.toLowerCase());

export class ConfigDocument {
  private document: XmlDocument;
  private lines: LineIndex | undefined;
  private readonly originalText: string;

  private constructor(document: XmlDocument) {
    this.document = document;
    this.originalText = document.text;
  }

  /** Opens a config file for editing; throws ConfigError when it is not well-formed XML. */
  static open(file: string): ConfigDocument {
    const absolute = resolve(file);
    const { text, encoding } = decodeConfigBytes(readFileSync(absolute));
    return ConfigDocument.parse(text, absolute, encoding);
  }

  static parse(text: string, file: string, encoding: TextEncoding = 'utf8'): ConfigDocument {
    return new ConfigDocument(parseOrThrow(text, resolve(file), encoding));
  }

  get file(): string {
    return this.document.file;
  }

  get text(): string {
    return this.document.text;
  }

  get isDirty(): boolean {
    return this.document.text !== this.originalText;
  }

  get root(): ConfigElement {
    return new ConfigElement(this, this.document.root);
  }

  /**
   * Finds an element by its path from <configuration> (`system.applicationHost/applicationPools/add`);
   * `key` selects a collection entry on the last step (`{ name: 'DefaultAppPool' }`, case-insensitive).
   */
  find(path: string, key?: CollectionKey): ConfigElement | undefined {
    return this.findAll(path, key)[0];
  }

  findAll(path: string, key?: CollectionKey): ConfigElement[] {
    let current: XmlElement[] = [this.document.root];
    const steps = path.split('/').filter(Boolean);
    steps.forEach((step, index) => {
      const last = index === steps.length - 1;
      current = current.flatMap((element) => childElements(element, step).filter((child) => !last || matches(child, key)));
    });
    return current.map((element) => new ConfigElement(this, element));
  }

  /** Like find, creating the missing elements of the path (never collection entries). */
  ensure(path: string): ConfigElement {
    let element = this.root;
    for (const step of path.split('/').filter(Boolean)) element = element.child(step) ?? element.addChild(step);
    return element;
  }

  /** The `<location path="…">` element for a config path, created (after the last one, or at the end) when asked. */
  location(path: string, options: { create?: boolean; overrideMode?: 'Allow' | 'Deny' } = {}): ConfigElement | undefined {
    const found = this.root.children('location').find((location) => (location.get('path') ?? '').toLowerCase() === path.toLowerCase());
    if (found || !options.create) return found;
    const attributes: Record<string, string> = { path };
    if (options.overrideMode) attributes.overrideMode = options.overrideMode;
    return this.root.addChild('location', attributes);
  }

  /** The typed model of the document as it is now (same tree, so positions are exact); throws ConfigError. */
  toModel(options?: LoadOptions): ApplicationHostConfig {
    return buildApplicationHostConfig({ ...this.document, lines: this.lineIndex() }, options);
  }

  /** Writes the document back atomically (temp file, fsync, rename, fsync folder). */
  save(file: string = this.file): void {
    writeFileAtomic(resolve(file), Buffer.from(this.document.text, this.document.encoding));
  }

  /** @internal */
  lineIndex(): LineIndex {
    this.lines ??= new LineIndex(this.document.text);
    return this.lines;
  }

  /** @internal */
  splice(start: number, end: number, replacement: string): void {
    spliceText(this.document, start, end, replacement);
    this.lines = undefined;
  }

  /** @internal */
  layout(): { eol: string; unit: string } {
    return { eol: detectLineEnding(this.document.text), unit: detectIndentUnit(this.document.text, this.document.root) };
  }
}

export class ConfigElement {
  constructor(
    private readonly owner: ConfigDocument,
    /** The underlying node; stays exact across edits made through this document. */
    readonly node: XmlElement,
  ) {}

  get name(): string {
    return this.node.name;
  }

  /** 1-based line and column of `<`. */
  get position(): { file: string; line: number; column: number } {
    return { file: this.owner.file, ...this.owner.lineIndex().position(this.node.start) };
  }

  get(attribute: string): string | undefined {
    return findAttribute(this.node, attribute)?.value;
  }

  attributes(): Record<string, string> {
    return Object.fromEntries(this.node.attributes.map((attribute) => [attribute.name, attribute.value]));
  }

  /** Sets an attribute: an existing one changes only its value bytes; a new one goes after the last attribute. */
  set(attribute: string, value: string): this {
    const existing = findAttribute(this.node, attribute);
    if (existing) {
      if (existing.value === value) return this;
      const encoded = encodeXmlAttribute(value, existing.quote);
      this.owner.splice(existing.valueStart, existing.valueEnd, encoded);
      existing.value = value;
      return this;
    }
    const at = this.node.attributes.length ? this.node.attributes[this.node.attributes.length - 1]!.end : this.node.nameEnd;
    const encoded = encodeXmlAttribute(value, '"');
    const inserted = ` ${attribute}="${encoded}"`;
    this.owner.splice(at, at, inserted);
    const start = at + 1;
    const valueStart = start + attribute.length + 2;
    const created: XmlAttribute = { name: attribute, value, quote: '"', start, valueStart, valueEnd: valueStart + encoded.length, end: valueStart + encoded.length + 1 };
    this.node.attributes.push(created);
    return this;
  }

  /** Removes an attribute and the whitespace before it; returns whether it was there. */
  removeAttribute(attribute: string): boolean {
    const index = this.node.attributes.findIndex((candidate) => candidate.name === attribute);
    if (index < 0) return false;
    const existing = this.node.attributes[index]!;
    const text = this.owner.text;
    let start = existing.start;
    while (start > 0 && /\s/.test(text[start - 1]!)) start--;
    this.node.attributes.splice(index, 1);
    this.owner.splice(start, existing.end, '');
    return true;
  }

  children(name?: string): ConfigElement[] {
    return childElements(this.node, name).map((element) => new ConfigElement(this.owner, element));
  }

  child(name: string, key?: CollectionKey): ConfigElement | undefined {
    return this.children(name).find((element) => matches(element.node, key));
  }

  parent(): ConfigElement | undefined {
    return this.node.parent ? new ConfigElement(this.owner, this.node.parent) : undefined;
  }

  /**
   * Adds `<name attr="…" />` as the last child (or before `options.before`), indented like its
   * siblings, with the file's line ending. A self-closing parent is opened (`<a />` → `<a>…</a>`).
   */
  addChild(name: string, attributes: Record<string, string> = {}, options: { before?: ConfigElement } = {}): ConfigElement {
    const markup = `<${name}${Object.entries(attributes).map(([key, value]) => ` ${key}="${encodeXmlAttribute(value)}"`).join('')} />`;
    const { eol, unit } = this.owner.layout();
    const text = this.owner.text;
    const parent = this.node;
    const parentIndent = indentationOf(text, parent);
    const siblings = childElements(parent);
    let insertAt: number;
    let childStart: number;
    let index: number;
    if (options.before && options.before.node.parent === parent) {
      const before = options.before.node;
      insertAt = before.start;
      this.owner.splice(insertAt, insertAt, `${markup}${eol}${indentationOf(text, before)}`);
      childStart = insertAt;
      index = parent.children.indexOf(before);
    } else if (siblings.length) {
      const last = siblings[siblings.length - 1]!;
      insertAt = last.end;
      const indent = indentationOf(text, last) || parentIndent + unit;
      this.owner.splice(insertAt, insertAt, `${eol}${indent}${markup}`);
      childStart = insertAt + eol.length + indent.length;
      index = parent.children.indexOf(last) + 1;
    } else if (!parent.selfClosing) {
      insertAt = parent.openEnd;
      const inner = text.slice(parent.openEnd, parent.closeStart);
      const tail = inner.includes('\n') ? '' : `${eol}${parentIndent}`;
      this.owner.splice(insertAt, insertAt, `${eol}${parentIndent}${unit}${markup}${tail}`);
      childStart = insertAt + eol.length + parentIndent.length + unit.length;
      index = 0;
    } else {
      // `<parent a="b" />` → `<parent a="b">` EOL indent child EOL indent `</parent>`.
      const from = parent.attributes.length ? parent.attributes[parent.attributes.length - 1]!.end : parent.nameEnd;
      const opened = `>${eol}${parentIndent}${unit}${markup}${eol}${parentIndent}</${parent.name}>`;
      this.owner.splice(from, parent.end, opened);
      parent.selfClosing = false;
      parent.openEnd = from + 1;
      parent.closeStart = from + opened.length - (`</${parent.name}>`).length;
      parent.end = from + opened.length;
      childStart = from + 1 + eol.length + parentIndent.length + unit.length;
      index = parent.children.length;
    }
    const { nodes } = scanXml(this.owner.text, childStart, childStart + markup.length, parent);
    const element = nodes.find((node): node is XmlElement => node.kind === 'element')!;
    parent.children.splice(index, 0, element);
    return new ConfigElement(this.owner, element);
  }

  /** Removes this element; when it sits alone on its line, the whole line goes. */
  remove(): void {
    const parent = this.node.parent;
    if (!parent) throw new Error('the root element cannot be removed');
    const text = this.owner.text;
    let start = this.node.start;
    while (start > 0 && (text[start - 1] === ' ' || text[start - 1] === '\t')) start--;
    let end = this.node.end;
    const aloneBefore = start === 0 || text[start - 1] === '\n';
    let after = end;
    while (after < text.length && (text[after] === ' ' || text[after] === '\t')) after++;
    if (aloneBefore && text.startsWith('\r\n', after)) end = after + 2;
    else if (aloneBefore && text[after] === '\n') end = after + 1;
    else start = this.node.start;
    parent.children.splice(parent.children.indexOf(this.node), 1);
    this.owner.splice(start, end, '');
  }
}
