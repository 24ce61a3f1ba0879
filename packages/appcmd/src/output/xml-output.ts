// `/xml`: an `<appcmd>` result set another appcmd reads back with `/in` (reference §9.2).
import { attributesText, elementXml } from './element-xml.js';
import type { AppcmdRecord } from './record.js';

export function xmlOutput(records: AppcmdRecord[], withConfig: 'none' | 'explicit' | 'all'): string[] {
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<appcmd>'];
  for (const record of records) {
    const open = `    <${record.objectType}${attributesText(record.properties)}`;
    const element = withConfig === 'all' ? record.effectiveElement ?? record.element : withConfig === 'explicit' ? record.element : undefined;
    if (!element) {
      lines.push(`${open} />`);
      continue;
    }
    lines.push(`${open}>`, ...elementXml(element, '        ', '    '), `    </${record.objectType}>`);
  }
  lines.push('</appcmd>');
  return lines;
}
