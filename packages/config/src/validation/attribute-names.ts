// Which attribute names an element may carry. An attribute in neither poolhost's schema nor IIS's is
// refused as IIS refuses it ("Unrecognized attribute"); an attribute IIS defines but poolhost cannot honour
// is accepted and reported as a warning when its value asks for something (docs/configuration.md,
// "Unrecognized and not honoured attributes"). Nothing is accepted and silently ignored.

import type { XmlAttribute, XmlElement } from '../xml/xml-node.js';
import type { Diagnostics } from './diagnostics.js';
import { ConfigErrors } from './error-registry.js';

/** An IIS attribute poolhost reads past: `inert` is IIS's default (the value that asks for nothing), `reason` why it is not honoured. */
export interface NotHonoured {
  inert: string;
  reason: string;
}

export interface AttributeNames {
  /** The element as messages name it, e.g. `processModel`, `applicationPools/add`. */
  element: string;
  /** The attributes poolhost reads and honours (its schema's, and any it reads outside the schema: name, id, path …). */
  known: readonly string[];
  /** IIS attributes poolhost accepts and does not honour. */
  notHonoured?: Readonly<Record<string, NotHonoured>>;
}

/** IIS's configuration system takes these on any element (locks, configSource, XML namespace declarations). */
const GENERAL_ATTRIBUTES = new Set(['lockAttributes', 'lockAllAttributesExcept', 'lockElements', 'lockAllElementsExcept', 'lockItem', 'configSource']);

export function isGeneralAttribute(name: string): boolean {
  return GENERAL_ATTRIBUTES.has(name) || name === 'xmlns' || name.startsWith('xmlns:');
}

/** Whether `value` asks for something other than IIS's default (values compare trimmed and case-insensitively, as enums and booleans do). */
export function asksForSomething(notHonoured: NotHonoured, value: string): boolean {
  return value.trim().toLowerCase() !== notHonoured.inert.toLowerCase();
}

/** How an attribute name of an element is classified; names are case-sensitive, as in IIS. */
export function classifyAttribute(names: AttributeNames, name: string): 'known' | 'notHonoured' | 'unrecognized' {
  if (names.notHonoured && Object.hasOwn(names.notHonoured, name)) return 'notHonoured';
  if (names.known.includes(name) || isGeneralAttribute(name)) return 'known';
  return 'unrecognized';
}

/** The attribute names the element takes, for the hint: poolhost's, then IIS's it does not honour. */
export function acceptedNames(names: AttributeNames): string[] {
  return [...names.known, ...Object.keys(names.notHonoured ?? {}).filter((name) => !names.known.includes(name))];
}

/**
 * Refuses every unrecognized attribute of `element` and reports every not honoured one that asks for
 * something. Returns the unrecognized attributes, in file order.
 */
export function checkAttributeNames(element: XmlElement | undefined, names: AttributeNames, diagnostics: Diagnostics): XmlAttribute[] {
  const unrecognized: XmlAttribute[] = [];
  if (!element) return unrecognized;
  for (const attribute of element.attributes) {
    switch (classifyAttribute(names, attribute.name)) {
      case 'known':
        break;
      case 'notHonoured': {
        const notHonoured = names.notHonoured![attribute.name]!;
        if (!asksForSomething(notHonoured, attribute.value)) break;
        const params = { element: names.element, attribute: attribute.name, value: attribute.value, reason: notHonoured.reason, inert: notHonoured.inert };
        diagnostics.warn(ConfigErrors.notHonoured, params, attribute.start);
        break;
      }
      case 'unrecognized':
        unrecognized.push(attribute);
        diagnostics.report(ConfigErrors.unknownAttribute, { element: names.element, attribute: attribute.name, known: acceptedNames(names) }, attribute.start);
    }
  }
  return unrecognized;
}
