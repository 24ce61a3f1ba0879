// Configuration elements as XML text, for `/config`, `/config:*`, `list config` and `/xml /config`.
import type { ElementView } from './record.js';

export function escapeXmlAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function attributesText(attributes: Array<[string, string]>): string {
  return attributes.map(([name, value]) => ` ${name}="${escapeXmlAttribute(value)}"`).join('');
}

/** Two spaces per level, as appcmd prints configuration. */
export function elementXml(element: ElementView, indent = '', unit = '  '): string[] {
  const open = `${indent}<${element.name}${attributesText(element.attributes)}`;
  if (element.children.length === 0) return [`${open} />`];
  const lines = [`${open}>`];
  for (const child of element.children) lines.push(...elementXml(child, indent + unit, unit));
  lines.push(`${indent}</${element.name}>`);
  return lines;
}
