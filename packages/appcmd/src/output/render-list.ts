// Chooses the output format of a LIST from the general parameters: compact lines (default), `/text:*`,
// `/text:<attribute>`, `/xml`, `/config` and `/config:*`.
import { compactLine } from './compact-line.js';
import { detailText } from './detail-text.js';
import { elementXml } from './element-xml.js';
import { recordProperty, type AppcmdRecord } from './record.js';
import { xmlOutput } from './xml-output.js';

export interface OutputOptions {
  /** `/text:<value>`; undefined for plain `/text` or no /text. */
  text?: string;
  xml: boolean;
  /** `/config` → 'explicit', `/config:*` → 'all'. */
  config: 'none' | 'explicit' | 'all';
}

export function renderList(records: AppcmdRecord[], options: OutputOptions): string[] {
  if (options.xml) return xmlOutput(records, options.config);
  if (options.config !== 'none') {
    return records.flatMap((record) => {
      const element = options.config === 'all' ? record.effectiveElement ?? record.element : record.element;
      return element ? elementXml(element) : [];
    });
  }
  if (options.text === '*') return records.flatMap(detailText);
  if (options.text !== undefined && options.text !== '') {
    const name = options.text;
    return records.map((record) => recordProperty(record, name) ?? '');
  }
  return records.map(compactLine);
}
