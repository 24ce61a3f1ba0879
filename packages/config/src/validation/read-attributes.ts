// Reads an element's attributes against its schema. Effective value = the element's own attribute →
// the nearest `*Defaults` element's attribute → the schema default (reference §2). Bad values are
// reported at the attribute and fall back to the next source, so one load reports every problem.

import type { AttributeSpec, ElementSchema, ValueProblem } from '../values/attribute-type.js';
import { parseAttributeValue } from '../values/attribute-type.js';
import type { XmlAttribute, XmlElement } from '../xml/xml-node.js';
import { findAttribute } from '../xml/xml-node.js';
import type { Diagnostics } from './diagnostics.js';
import { ConfigErrors } from './error-registry.js';

export function reportValueProblem(diagnostics: Diagnostics, attribute: XmlAttribute, problem: ValueProblem): void {
  const p = { attribute: attribute.name, value: attribute.value };
  const at = attribute.start;
  switch (problem.problem) {
    case 'notBoolean':
      return diagnostics.report(ConfigErrors.notBoolean, p, at);
    case 'notNumber':
      return diagnostics.report(ConfigErrors.notNumber, p, at);
    case 'outOfRange':
      return diagnostics.report(ConfigErrors.outOfRange, { ...p, min: problem.min, max: problem.max }, at);
    case 'notEnum':
      return diagnostics.report(ConfigErrors.notEnum, { ...p, values: problem.values }, at);
    case 'notFlags':
      return diagnostics.report(ConfigErrors.notFlags, { ...p, unknown: problem.unknown, values: problem.values }, at);
    case 'notTimeSpan':
      return diagnostics.report(ConfigErrors.notTimeSpan, { ...p, detail: problem.detail }, at);
    case 'timeSpanOutOfRange':
      return diagnostics.report(ConfigErrors.timeSpanOutOfRange, { ...p, minSeconds: problem.minSeconds, maxSeconds: problem.maxSeconds }, at);
    case 'timeSpanGranularity':
      return diagnostics.report(ConfigErrors.timeSpanGranularity, { ...p, granularitySeconds: problem.granularitySeconds }, at);
    case 'empty':
      return diagnostics.report(ConfigErrors.emptyValue, p, at);
  }
}

function readOne(spec: AttributeSpec, attribute: XmlAttribute | undefined, diagnostics: Diagnostics): { found: boolean; value: unknown } {
  if (!attribute) return { found: false, value: undefined };
  const parsed = parseAttributeValue(spec.type, attribute.value);
  if (parsed.ok) return { found: true, value: parsed.value };
  reportValueProblem(diagnostics, attribute, parsed);
  return { found: false, value: undefined };
}

/**
 * `sources` are tried in order: the element itself first, then its defaults elements (nearest first).
 * Returns one value per schema attribute.
 */
export function readAttributes<T>(schema: ElementSchema, sources: Array<XmlElement | undefined>, diagnostics: Diagnostics): T {
  const out: Record<string, unknown> = {};
  // for…in, not Object.entries: no [name, spec] pair per attribute (typed-sections.ts' read does the same).
  for (const name in schema) {
    const spec = schema[name]!;
    let value: unknown = Array.isArray(spec.default) ? [...spec.default] : spec.default;
    for (const source of sources) {
      if (!source) continue;
      const read = readOne(spec, findAttribute(source, name), diagnostics);
      if (read.found) {
        value = read.value;
        break;
      }
    }
    out[name] = value;
  }
  return out as T;
}
