// traceFailedRequests rules compiled once: the file-name pattern of `path`, the status codes
// (`"404.2, 500"`, ranges `"400-599"`), and timeTaken.
import type { TraceFailedRequestsRule } from '@poolhost/config';
import { pathMatcher } from '../../pipeline/handler-mapping.js';

interface StatusRange {
  from: number;
  to: number;
  /** null = any substatus. */
  subStatus: number | null;
}

export interface CompiledTraceRule {
  path: string;
  matchesPath(fileName: string): boolean;
  statusCodes: StatusRange[];
  /** ms; 0 = off. */
  timeTaken: number;
}

export function parseStatusCodes(text: string): StatusRange[] {
  const ranges: StatusRange[] = [];
  for (const part of text.split(',').map((item) => item.trim()).filter(Boolean)) {
    const range = /^(\d{3})-(\d{3})$/.exec(part);
    if (range) {
      ranges.push({ from: Number(range[1]), to: Number(range[2]), subStatus: null });
      continue;
    }
    const single = /^(\d{3})(?:\.(\d+))?$/.exec(part);
    if (single) ranges.push({ from: Number(single[1]), to: Number(single[1]), subStatus: single[2] === undefined ? null : Number(single[2]) });
  }
  return ranges;
}

export function compileTraceRules(rules: TraceFailedRequestsRule[]): CompiledTraceRule[] {
  return rules.map((rule) => ({
    path: rule.path,
    matchesPath: rule.path === '/' ? (fileName: string) => fileName === '' : pathMatcher(rule.path),
    statusCodes: parseStatusCodes(rule.failureDefinitions.statusCodes),
    timeTaken: rule.failureDefinitions.timeTaken,
  }));
}

export function statusMatches(ranges: StatusRange[], status: number, subStatus: number): boolean {
  for (const range of ranges) if (status >= range.from && status <= range.to && (range.subStatus === null || range.subStatus === subStatus)) return true;
  return false;
}
