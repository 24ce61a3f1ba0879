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

/**
 * A lower level sets what a higher one locked (reference §5): an attribute named by `lockAttributes`
 * (or left out of `lockAllAttributesExcept`), a child element named by `lockElements` (or left out of
 * `lockAllElementsExcept`; `add`, `remove`, `clear` for collections), an element with
 * `lockItem="true"`, or a remove/clear of a collection entry with `lockItem="true"`. Even setting the
 * same value is a violation, as in IIS.
 */
export class LockViolation extends Error {
  constructor(
    readonly element: RawElement,
    readonly detail: string,
  ) {
    super(`Lock violation: ${detail}`);
  }
}

const LOCK_ATTRIBUTES = new Set(['lockAttributes', 'lockAllAttributesExcept', 'lockElements', 'lockAllElementsExcept', 'lockItem']);
const listOf = (value: string | undefined): string[] | undefined => value?.split(',').map((name) => name.trim()).filter(Boolean);
const isTrue = (value: string | undefined): boolean => value?.toLowerCase() === 'true';

function checkLocks(inherited: RawElement, own: RawElement): void {
  const locked = inherited.attributes;
  if (isTrue(locked.lockItem)) throw new LockViolation(own, `<${own.name}> is locked (lockItem="true") at a parent level`);
  const lockedAttributes = listOf(locked.lockAttributes);
  const allowedAttributes = listOf(locked.lockAllAttributesExcept);
  for (const name of Object.keys(own.attributes)) {
    if (LOCK_ATTRIBUTES.has(name)) continue;
    if (lockedAttributes && (lockedAttributes.includes('*') || lockedAttributes.includes(name))) {
      throw new LockViolation(own, `attribute '${name}' of <${own.name}> is locked (lockAttributes="${locked.lockAttributes}") at a parent level`);
    }
    if (allowedAttributes && !allowedAttributes.includes(name)) {
      throw new LockViolation(own, `attribute '${name}' of <${own.name}> is locked (lockAllAttributesExcept="${locked.lockAllAttributesExcept}") at a parent level`);
    }
  }
  const lockedElements = listOf(locked.lockElements);
  const allowedElements = listOf(locked.lockAllElementsExcept);
  for (const child of own.children) {
    if (lockedElements && (lockedElements.includes('*') || lockedElements.includes(child.name))) {
      throw new LockViolation(child, `element <${child.name}> of <${own.name}> is locked (lockElements="${locked.lockElements}") at a parent level`);
    }
    if (allowedElements && !allowedElements.includes(child.name)) {
      throw new LockViolation(child, `element <${child.name}> of <${own.name}> is locked (lockAllElementsExcept="${locked.lockAllElementsExcept}") at a parent level`);
    }
  }
}

/** Lock lists add up level by level: a lower level may lock more, never unlock by writing its own list. */
function mergeLockLists(attributes: Record<string, string>, inherited: Record<string, string>, own: Record<string, string>): void {
  for (const name of ['lockAttributes', 'lockElements'] as const) {
    if (inherited[name] !== undefined && own[name] !== undefined) attributes[name] = `${inherited[name]},${own[name]}`;
  }
  if (isTrue(inherited.lockItem)) attributes.lockItem = 'true';
}

const UNKNOWN_COLLECTION: CollectionSchema = { addElement: 'add', keys: [], mergeAppend: true };

/**
 * `path` is the element's path relative to system.webServer (e.g. `defaultDocument/files`). `enforceLocks`:
 * `own` comes from a lower level than `inherited` (not poolhost's baseline beneath applicationHost.config).
 */
export function mergeElement(inherited: RawElement | undefined, own: RawElement, path: string, enforceLocks = false): RawElement {
  const schema = KNOWN_COLLECTIONS[path] ?? (own.children.some(isDirective) ? UNKNOWN_COLLECTION : undefined);
  if (enforceLocks && inherited) checkLocks(inherited, own);
  const attributes = { ...inherited?.attributes, ...own.attributes };
  if (inherited) mergeLockLists(attributes, inherited.attributes, own.attributes);
  const entriesOf = (element: RawElement | undefined): RawElement[] =>
    element ? element.children.filter((c) => schema && (c.name === schema.addElement || isDirective(c))) : [];
  const merged: RawElement = { name: own.name, attributes, children: [], position: own.position };
  const otherChildren = mergeOtherChildren(inherited, own, path, schema, enforceLocks);
  const entries = schema ? mergeCollection(entriesOf(inherited), entriesOf(own), schema, enforceLocks) : [];
  merged.children = [...otherChildren, ...entries];
  return merged;
}

function isDirective(element: RawElement): boolean {
  return element.name === 'add' || element.name === 'remove' || element.name === 'clear';
}

function mergeOtherChildren(inherited: RawElement | undefined, own: RawElement, path: string, schema: CollectionSchema | undefined, enforceLocks: boolean): RawElement[] {
  const isEntry = (c: RawElement): boolean => !!schema && (c.name === schema.addElement || isDirective(c));
  const out = inherited ? inherited.children.filter((c) => !isEntry(c)) : [];
  for (const child of own.children) {
    if (isEntry(child)) continue;
    const named = child.attributes.name;
    const index = out.findIndex((candidate) => candidate.name === child.name && (named === undefined || candidate.attributes.name === named));
    if (index >= 0 && named !== undefined) {
      if (enforceLocks) checkLocks(out[index]!, child);
      out[index] = child;
    } else if (index >= 0) out[index] = mergeElement(out[index], child, `${path}/${child.name}`, enforceLocks);
    else out.push(mergeElement(undefined, child, `${path}/${child.name}`));
  }
  return out;
}

function mergeCollection(inherited: RawElement[], directives: RawElement[], schema: CollectionSchema, enforceLocks: boolean): RawElement[] {
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
      const lockedEntry = enforceLocks ? kept.find((entry) => isTrue(entry.attributes.lockItem)) : undefined;
      if (lockedEntry) throw new LockViolation(directive, `<clear/> would remove an entry locked at a parent level (lockItem="true" at ${lockedEntry.position.file}:${lockedEntry.position.line})`);
      kept = [];
      added = [];
      present.clear();
    } else if (directive.name === 'remove' && directive.name !== schema.addElement) {
      const key = keyOf(directive);
      const lockedEntry = enforceLocks ? kept.find((entry) => keyOf(entry) === key && isTrue(entry.attributes.lockItem)) : undefined;
      if (lockedEntry) throw new LockViolation(directive, `<remove> of an entry locked at a parent level (lockItem="true" at ${lockedEntry.position.file}:${lockedEntry.position.line})`);
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
