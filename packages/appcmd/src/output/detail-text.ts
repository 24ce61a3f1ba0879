// `/text:*`: the object type, then `  NAME: value` lines for synthesized properties, then the
// configuration element as `[name]` blocks with `attr:"value"` lines, two more spaces per level
// (reference §9.2).
import type { AppcmdRecord, ElementView } from './record.js';

function elementLines(element: ElementView, depth: number, out: string[]): void {
  const indent = '  '.repeat(depth);
  out.push(`${indent}[${element.name}]`);
  for (const [name, value] of element.attributes) out.push(`${indent}  ${name}:"${value}"`);
  for (const child of element.children) elementLines(child, depth + 1, out);
}

export function detailText(record: AppcmdRecord): string[] {
  const out = [record.detailHeading ?? record.objectType];
  for (const [name, value] of [...record.properties, ...(record.extraProperties ?? [])]) out.push(`  ${name}: ${value}`);
  const element = record.effectiveElement ?? record.element;
  if (element) elementLines(element, 1, out);
  for (const block of record.extraBlocks ?? []) elementLines(block, 1, out);
  return out;
}
