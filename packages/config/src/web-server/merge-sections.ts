// Merges a section from a deeper level onto what the levels above produced: attributes override,
// single child elements merge recursively, collections apply add / remove / clear in order.
// Unknown sections (rewrite, iisnode, …) merge by the same rules, guessing collections from their
// add/remove/clear children and keying other repeated elements by their `name` attribute.

import type { RawElement } from './model.js';
import { KNOWN_COLLECTIONS, type CollectionSchema } from './collection-schema.js';

export class DuplicateCollectionEntry extends Error {
  constructor(
    readonly element: RawElement,
    readonly schema: CollectionSchema,
  ) {
    const keys = schema.keys;
    const values = keys.map((key) => element.attributes[key] ?? schema.keyDefaults?.[key] ?? '');
    super(
      keys.length === 1
        ? `Cannot add duplicate collection entry of type '${element.name}' with unique key attribute '${keys[0]}' set to '${values[0]}'`
        : `Cannot add duplicate collection entry of type '${element.name}' with combined key attributes '${keys.join(', ')}' respectively set to '${values.join(', ')}'`,
    );
  }
}

const UNKNOWN_COLLECTION: CollectionSchema = { addElement: 'add', keys: [], mergeAppend: true };

/** `path` is the element's path relative to system.webServer (e.g. `defaultDocument/files`). */
export function mergeElement(inherited: RawElement | undefined, own: RawElement, path: string): RawElement {
  const schema = KNOWN_COLLECTIONS[path] ?? (own.children.some(isDirective) ? UNKNOWN_COLLECTION : undefined);
  const attributes = { ...inherited?.attributes, ...own.attributes };
  const entriesOf = (element: RawElement | undefined): RawElement[] =>
    element ? element.children.filter((c) => schema && (c.name === schema.addElement || isDirective(c))) : [];
  const merged: RawElement = { name: own.name, attributes, children: [], position: own.position };
  const otherChildren = mergeOtherChildren(inherited, own, path, schema);
  const entries = schema ? mergeCollection(entriesOf(inherited), entriesOf(own), schema) : [];
  merged.children = [...otherChildren, ...entries];
  return merged;
}

function isDirective(element: RawElement): boolean {
  return element.name === 'add' || element.name === 'remove' || element.name === 'clear';
}

function mergeOtherChildren(inherited: RawElement | undefined, own: RawElement, path: string, schema: CollectionSchema | undefined): RawElement[] {
  const isEntry = (c: RawElement): boolean => !!schema && (c.name === schema.addElement || isDirective(c));
  const out = inherited ? inherited.children.filter((c) => !isEntry(c)) : [];
  for (const child of own.children) {
    if (isEntry(child)) continue;
    const named = child.attributes.name;
    const index = out.findIndex((candidate) => candidate.name === child.name && (named === undefined || candidate.attributes.name === named));
    if (index >= 0 && named !== undefined) out[index] = child;
    else if (index >= 0) out[index] = mergeElement(out[index], child, `${path}/${child.name}`);
    else out.push(mergeElement(undefined, child, `${path}/${child.name}`));
  }
  return out;
}

function mergeCollection(inherited: RawElement[], directives: RawElement[], schema: CollectionSchema): RawElement[] {
  const keyOf = (element: RawElement): string => {
    const keys = schema.keys.length ? schema.keys : guessKeys(element);
    const text = keys.map((key) => element.attributes[key] ?? schema.keyDefaults?.[key] ?? '').join('\u0000');
    return schema.caseSensitiveKeys ? text : text.toLowerCase();
  };
  let kept = inherited.filter((entry) => entry.name === schema.addElement);
  let added: RawElement[] = [];
  // Keys present in kept ∪ added, so a long collection (the ~376 mimeMaps) merges in linear time.
  const present = new Set(kept.map(keyOf));
  const without = (key: string): void => {
    kept = kept.filter((entry) => keyOf(entry) !== key);
    added = added.filter((entry) => keyOf(entry) !== key);
    present.delete(key);
  };
  for (const directive of directives) {
    if (directive.name === 'clear') {
      kept = [];
      added = [];
      present.clear();
    } else if (directive.name === 'remove' && directive.name !== schema.addElement) {
      const key = keyOf(directive);
      if (present.has(key)) without(key);
    } else if (directive.name === schema.addElement) {
      const key = keyOf(directive);
      if (present.has(key)) {
        if (schema !== UNKNOWN_COLLECTION) throw new DuplicateCollectionEntry(directive, schema);
        without(key);
      }
      added.push(directive);
      present.add(key);
    }
  }
  return schema.mergeAppend ? [...kept, ...added] : [...added, ...kept];
}

function guessKeys(element: RawElement): string[] {
  if ('name' in element.attributes) return ['name'];
  const first = Object.keys(element.attributes)[0];
  return first ? [first] : [];
}
