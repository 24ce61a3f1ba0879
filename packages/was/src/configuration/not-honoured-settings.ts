// IIS settings applicationHost.config asks for that poolhost does not honour (packages/config's
// `warnings`, code POOLHOST_CONFIG_NOT_HONOURED): the file loads, and each is logged as a warning with
// its file:line:column, at start and when a live edit brings a new one. Never silently dropped.
import { formatIssue, type ApplicationHostConfig } from '@poolhost/config';
import type { Logger } from '@poolhost/common';

// The same setting moved by an edit above it is the same setting: compared without its position.
const keyOf = (warning: { code: string; message: string }): string => `${warning.code}\u0000${warning.message}`;

/** Logs each warning of `next` that `previous` (the configuration in force before, or null at start) did not have. */
export function reportNotHonouredSettings(logger: Logger, previous: ApplicationHostConfig | null, next: ApplicationHostConfig): void {
  const before = new Set((previous?.warnings ?? []).map(keyOf));
  for (const warning of next.warnings ?? []) {
    if (before.has(keyOf(warning))) continue;
    logger.warn({ configWarning: { file: warning.file, line: warning.line, column: warning.column, code: warning.code } }, formatIssue(warning));
  }
}
