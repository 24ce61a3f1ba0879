// Collects issues while a file is read, so one load reports every problem, each at its position.

import type { XmlDocument } from '../xml/xml-document.js';
import type { ErrorDefinition } from './error-registry.js';
import type { ConfigIssue } from './config-error.js';

export class Diagnostics {
  readonly issues: ConfigIssue[] = [];
  /** Settings poolhost accepts but does not honour: the file loads, each is logged (never silently dropped). */
  readonly warnings: ConfigIssue[] = [];
  // A defaults element is read once per pool/site/application; report each of its problems once.
  private readonly seen = new Set<string>();

  constructor(readonly document: XmlDocument) {}

  report<P>(definition: ErrorDefinition<P>, params: P, offset: number): void {
    this.add(this.issues, definition, params, offset);
  }

  warn<P>(definition: ErrorDefinition<P>, params: P, offset: number): void {
    this.add(this.warnings, definition, params, offset);
  }

  private add<P>(into: ConfigIssue[], definition: ErrorDefinition<P>, params: P, offset: number): void {
    const key = `${definition.code}@${offset}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    const { line, column } = this.document.lines.position(offset);
    into.push({
      code: definition.code,
      file: this.document.file,
      line,
      column,
      message: definition.message(params),
      hint: definition.hint(params),
    });
  }

  /** `file:line:column` of an offset, for messages that point back to an earlier element. */
  where(offset: number): string {
    const { line, column } = this.document.lines.position(offset);
    return `line ${line}, column ${column}`;
  }

  position(offset: number): { file: string; line: number; column: number } {
    return { file: this.document.file, ...this.document.lines.position(offset) };
  }
}
