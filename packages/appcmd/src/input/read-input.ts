// `/in`: reads the `<appcmd>` result set another appcmd wrote with `/xml` (reference §9.2) and returns
// each object's type and attributes. Anything else on stdin is IIS's "The data is invalid." error.
import { Errors } from '../errors.js';

export interface InputRecord {
  objectType: string;
  attributes: Map<string, string>;
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decode(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (whole, body: string) => {
    if (body.startsWith('#x')) return String.fromCodePoint(parseInt(body.slice(2), 16));
    if (body.startsWith('#')) return String.fromCodePoint(parseInt(body.slice(1), 10));
    return ENTITIES[body] ?? whole;
  });
}

export function parseInputXml(text: string): InputRecord[] {
  const body = text.replace(/^\uFEFF/, '').replace(/<\?xml[^>]*\?>/, '').trim();
  if (body === '') return [];
  const root = /^<appcmd\s*(\/>|>([\s\S]*)<\/appcmd>)$/.exec(body);
  if (!root) throw Errors.invalidInput();
  const inner = root[2] ?? '';
  const records: InputRecord[] = [];
  let depth = 0;
  const tag = /<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[\w.:-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|<!--[\s\S]*?-->|([^<]+)/g;
  let consumed = 0;
  for (let match = tag.exec(inner); match; match = tag.exec(inner)) {
    if (match.index !== consumed) throw Errors.invalidInput();
    consumed = tag.lastIndex;
    const [, closing, name, attributeText, selfClosing, textNode] = match;
    if (textNode !== undefined) {
      if (textNode.trim() !== '') throw Errors.invalidInput();
      continue;
    }
    if (name === undefined) continue; // comment
    if (closing) {
      depth--;
      continue;
    }
    if (depth === 0) {
      const attributes = new Map<string, string>();
      for (const attribute of (attributeText ?? '').matchAll(/([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
        attributes.set(attribute[1]!, decode(attribute[2] ?? attribute[3] ?? ''));
      }
      records.push({ objectType: name.toUpperCase(), attributes });
    }
    if (!selfClosing) depth++;
  }
  if (consumed !== inner.length || depth !== 0) throw Errors.invalidInput();
  return records;
}
