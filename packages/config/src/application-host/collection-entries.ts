// IIS collections inside applicationHost.config (`environmentVariables`, `schedule`): the inherited
// entries from the defaults element, then this element's `add` / `remove` / `clear` directives in order.

import type { XmlElement } from '../xml/xml-node.js';
import { childElements, findAttribute } from '../xml/xml-node.js';

export function collectionEntries(inherited: XmlElement[], container: XmlElement | undefined, keyAttribute: string): XmlElement[] {
  let entries = [...inherited];
  if (!container) return entries;
  const keyOf = (element: XmlElement): string => (findAttribute(element, keyAttribute)?.value ?? '').toLowerCase();
  for (const directive of childElements(container)) {
    if (directive.name === 'clear') entries = [];
    else if (directive.name === 'remove') entries = entries.filter((entry) => keyOf(entry) !== keyOf(directive));
    else if (directive.name === 'add') entries = [...entries.filter((entry) => keyOf(entry) !== keyOf(directive)), directive];
  }
  return entries;
}
