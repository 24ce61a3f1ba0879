// The error loadApplicationHostConfig throws: the first problem in the message, all of them in `issues`.

import { isAbsolute, relative } from 'node:path';

export interface ConfigIssue {
  code: string;
  /** Absolute path of the file. */
  file: string;
  line: number;
  column: number;
  /** What is wrong, naming the bad value. */
  message: string;
  /** How to fix it. */
  hint: string;
}

/** Path as shown in messages: relative to the working directory when the file is below it. */
export function displayPath(file: string): string {
  const shown = relative(process.cwd(), file);
  return shown && !shown.startsWith('..') && !isAbsolute(shown) ? shown : file;
}

export function formatIssue(issue: ConfigIssue): string {
  return `${displayPath(issue.file)}:${issue.line}:${issue.column}: ${issue.message}. Fix: ${issue.hint}.`;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly hint: string;
  /** Every problem found, in file order; the first one is also this error's own fields. */
  readonly issues: ConfigIssue[];

  constructor(issues: ConfigIssue[], options?: { cause?: unknown }) {
    const first = issues[0];
    if (!first) throw new TypeError('ConfigError needs at least one issue');
    const more = issues.length > 1 ? `\n(${issues.length - 1} more: ${issues.slice(1).map(formatIssue).join('\n')})` : '';
    super(formatIssue(first) + more, options);
    this.code = first.code;
    this.file = first.file;
    this.line = first.line;
    this.column = first.column;
    this.hint = first.hint;
    this.issues = issues;
  }
}
