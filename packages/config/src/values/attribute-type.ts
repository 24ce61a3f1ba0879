// The value types of IIS's configuration schema (reference §2) and how each is read from text.

import { formatTimeSpan, parseTimeSpan } from './time-span.js';

export type AttributeType =
  | { kind: 'bool' }
  | { kind: 'uint'; min: number; max: number }
  | { kind: 'timeSpan'; minSeconds: number; maxSeconds: number; granularitySeconds?: number }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'flags'; values: readonly string[] }
  | { kind: 'string'; nonEmpty?: boolean };

export interface AttributeSpec {
  type: AttributeType;
  default: unknown;
}

export type ElementSchema = Record<string, AttributeSpec>;

export const UINT_MAX = 4294967295;
export const INT_MAX = 2147483647;

export const bool = (defaultValue: boolean): AttributeSpec => ({ type: { kind: 'bool' }, default: defaultValue });
export const uint = (defaultValue: number, min = 0, max = UINT_MAX): AttributeSpec => ({ type: { kind: 'uint', min, max }, default: defaultValue });
export const string = (defaultValue = '', nonEmpty = false): AttributeSpec => ({ type: { kind: 'string', nonEmpty }, default: defaultValue });
export const enumOf = (values: readonly string[], defaultValue: string): AttributeSpec => ({ type: { kind: 'enum', values }, default: defaultValue });
export const flagsOf = (values: readonly string[], defaultValue: readonly string[]): AttributeSpec => ({
  type: { kind: 'flags', values },
  default: values.filter((value) => defaultValue.includes(value)),
});
/** A timeSpan whose default is written in IIS form; ranges are in seconds as in IIS_schema.xml. */
export const timeSpan = (defaultValue: string, minSeconds: number, maxSeconds: number, granularitySeconds?: number): AttributeSpec => ({
  type: granularitySeconds ? { kind: 'timeSpan', minSeconds, maxSeconds, granularitySeconds } : { kind: 'timeSpan', minSeconds, maxSeconds },
  default: parseTimeSpan(defaultValue),
});

/** Why a value was refused; the validation layer turns this into a registered error. */
export type ValueProblem =
  | { problem: 'notBoolean' }
  | { problem: 'notNumber' }
  | { problem: 'outOfRange'; min: number; max: number }
  | { problem: 'notEnum'; values: readonly string[] }
  | { problem: 'notFlags'; unknown: string; values: readonly string[] }
  | { problem: 'notTimeSpan'; detail: string }
  | { problem: 'timeSpanOutOfRange'; minSeconds: number; maxSeconds: number }
  | { problem: 'timeSpanGranularity'; granularitySeconds: number }
  | { problem: 'empty' };

export type ParsedValue = { ok: true; value: unknown } | ({ ok: false } & ValueProblem);

export function parseAttributeValue(type: AttributeType, text: string): ParsedValue {
  switch (type.kind) {
    case 'bool': {
      const lower = text.trim().toLowerCase();
      if (lower === 'true') return { ok: true, value: true };
      if (lower === 'false') return { ok: true, value: false };
      return { ok: false, problem: 'notBoolean' };
    }
    case 'uint': {
      const trimmed = text.trim();
      if (!/^\d+$/.test(trimmed)) return { ok: false, problem: 'notNumber' };
      const value = Number(trimmed);
      if (value < type.min || value > type.max) return { ok: false, problem: 'outOfRange', min: type.min, max: type.max };
      return { ok: true, value };
    }
    case 'timeSpan': {
      let value: number;
      try {
        value = parseTimeSpan(text);
      } catch (error) {
        return { ok: false, problem: 'notTimeSpan', detail: (error as Error).message };
      }
      if (value < type.minSeconds * 1000 || value > type.maxSeconds * 1000) {
        return { ok: false, problem: 'timeSpanOutOfRange', minSeconds: type.minSeconds, maxSeconds: type.maxSeconds };
      }
      if (type.granularitySeconds && value % (type.granularitySeconds * 1000) !== 0) {
        return { ok: false, problem: 'timeSpanGranularity', granularitySeconds: type.granularitySeconds };
      }
      return { ok: true, value };
    }
    case 'enum': {
      const lower = text.trim().toLowerCase();
      const value = type.values.find((candidate) => candidate.toLowerCase() === lower);
      return value === undefined ? { ok: false, problem: 'notEnum', values: type.values } : { ok: true, value };
    }
    case 'flags': {
      const chosen = new Set<string>();
      for (const part of text.split(',')) {
        const lower = part.trim().toLowerCase();
        if (!lower || lower === 'none') continue;
        const value = type.values.find((candidate) => candidate.toLowerCase() === lower);
        if (value === undefined) return { ok: false, problem: 'notFlags', unknown: part.trim(), values: type.values };
        chosen.add(value);
      }
      // Canonical output: schema order, IIS casing.
      return { ok: true, value: type.values.filter((candidate) => chosen.has(candidate)) };
    }
    case 'string':
      if (type.nonEmpty && text.trim() === '') return { ok: false, problem: 'empty' };
      return { ok: true, value: text };
  }
}

/** Writes a model value back as IIS text (canonical casing, flags joined with ", "). */
export function formatAttributeValue(type: AttributeType, value: unknown): string {
  if (type.kind === 'flags') return (value as string[]).join(', ');
  if (type.kind === 'bool') return value ? 'true' : 'false';
  if (type.kind === 'timeSpan') return formatTimeSpan(value as number);
  return String(value);
}
