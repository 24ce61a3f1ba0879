// Applies one `/name:value`, `/+path` or `/-path` parameter to a configuration element (reference §9.1):
// dotted steps walk child elements (created on demand for set/add), indexers pick collection entries,
// the last step names the attribute to set or the entry to add or remove. Values are checked against the
// schema and written in canonical form; unknown sections are edited without checks.
import { checkAttributeValue, describeCollection, describeElement, type ConfigElement } from '@poolhost/config';
import { AppcmdError, Errors } from '../errors.js';
import type { Parameter } from '../syntax/command-line.js';
import { parsePropertyPath, PropertyPathError, type IndexerStep, type PathStep } from '../syntax/property-path.js';
import { childAt, type ElementAt } from './element-path.js';

function entryElementName(container: ElementAt): string {
  return describeCollection(container.path)?.addElement ?? 'add';
}

function entryMatches(entry: ConfigElement, step: IndexerStep): boolean {
  return step.keys.every((key) => (entry.get(key.name) ?? '').toLowerCase() === key.value.toLowerCase());
}

export function findEntry(container: ElementAt, step: IndexerStep): ElementAt | undefined {
  const described = describeCollection(container.path);
  const candidates = container.element.children(described?.addElement);
  const found = candidates.find((entry) => entryMatches(entry, step));
  return found ? childAt(container, found) : undefined;
}

/** Checks and canonicalises a value for `attribute` of the element at `path`; throws IIS's error. */
export function checkedValue(path: string, attribute: string, value: string): string {
  const description = describeElement(path);
  if (!description) return value;
  const spec = Object.entries(description.attributes).find(([name]) => name.toLowerCase() === attribute.toLowerCase());
  if (!spec) throw Errors.unknownAttribute(attribute);
  const checked = checkAttributeValue(spec[1], value);
  if (!checked.ok) throw Errors.invalidValue(checked.message);
  return checked.text;
}

/** The attribute's name in schema casing (`/queuelength:` sets `queueLength`). */
export function canonicalAttribute(path: string, attribute: string): string {
  const description = describeElement(path);
  const known = description && Object.keys(description.attributes).find((name) => name.toLowerCase() === attribute.toLowerCase());
  return known ?? attribute;
}

function setAttribute(target: ElementAt, attribute: string, value: string): void {
  const name = canonicalAttribute(target.path, attribute);
  target.element.set(name, checkedValue(target.path, name, value));
}

function walk(start: ElementAt, steps: PathStep[], create: boolean): ElementAt {
  let current = start;
  for (const step of steps) {
    if (step.kind === 'name') {
      const existing = current.element.children().find((child) => child.name.toLowerCase() === step.name.toLowerCase());
      if (existing) current = childAt(current, existing);
      else if (create) {
        const name = step.name;
        if (!describeElement(`${current.path}/${name}`) && !describeCollection(`${current.path}/${name}`) && describeElement(current.path)) {
          // A known element with no such child: IIS names the whole path as an unknown attribute.
          throw Errors.unknownAttribute(steps.map((s) => (s.kind === 'name' ? s.name : '[…]')).join('.'));
        }
        current = childAt(current, current.element.addChild(name));
      } else throw Errors.cannotFindElement();
    } else {
      const entry = findEntry(current, step);
      if (!entry) throw Errors.cannotFindElement();
      current = entry;
    }
  }
  return current;
}

function duplicateEntryMessage(elementName: string, step: IndexerStep, keys: string[]): AppcmdError {
  const keyed = step.keys.filter((key) => keys.length === 0 || keys.some((name) => name.toLowerCase() === key.name.toLowerCase()));
  const shown = keyed.length ? keyed : step.keys;
  const detail =
    shown.length === 1
      ? `Cannot add duplicate collection entry of type '${elementName}' with unique key attribute '${shown[0]!.name}' set to '${shown[0]!.value}'`
      : `Cannot add duplicate collection entry of type '${elementName}' with combined key attributes '${shown.map((k) => k.name).join(', ')}' respectively set to '${shown.map((k) => k.value).join(', ')}'`;
  return Errors.missingRequired(`${detail}\n.`);
}

/** Adds a collection entry described by an indexer to `container`; returns it. */
export function addEntry(container: ElementAt, step: IndexerStep): ElementAt {
  const described = describeCollection(container.path);
  const elementName = entryElementName(container);
  const keys = described?.keys ?? [];
  const keyStep: IndexerStep = { kind: 'indexer', keys: step.keys.filter((key) => keys.length === 0 || keys.some((name) => name.toLowerCase() === key.name.toLowerCase())) };
  if (keyStep.keys.length && findEntry(container, keyStep)) throw duplicateEntryMessage(elementName, step, keys);
  const path = `${container.path}/${elementName}`;
  const attributes: Record<string, string> = {};
  for (const key of step.keys) {
    const name = canonicalAttribute(path, key.name);
    attributes[name] = checkedValue(path, name, key.value);
  }
  const missing = (describeElement(path)?.required ?? []).filter((name) => attributes[name] === undefined);
  if (missing.length) throw Errors.missingRequired(`Missing required attribute${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')}.`);
  return childAt(container, container.element.addChild(elementName, attributes));
}

/** Applies one property parameter below `target`. */
export function applyPropertyParameter(target: ElementAt, parameter: Parameter): void {
  let steps: PathStep[];
  try {
    steps = parsePropertyPath(parameter.name);
  } catch (error) {
    if (error instanceof PropertyPathError) throw Errors.badParameter(error.message);
    throw error;
  }
  const last = steps[steps.length - 1]!;
  const parents = steps.slice(0, -1);
  if (parameter.operation === 'set') {
    if (last.kind !== 'name') throw Errors.badParameter(`"${parameter.name}" must end with an attribute name`);
    const owner = walk(target, parents, true);
    setAttribute(owner, last.name, parameter.value ?? '');
    return;
  }
  if (last.kind !== 'indexer') throw Errors.badParameter(`"${parameter.name}" must end with a collection indexer [name='value']`);
  if (parameter.operation === 'add') {
    addEntry(walk(target, parents, true), last);
    return;
  }
  const container = walk(target, parents, false);
  const entry = findEntry(container, last);
  if (!entry) throw Errors.cannotFindElement();
  entry.element.remove();
}
