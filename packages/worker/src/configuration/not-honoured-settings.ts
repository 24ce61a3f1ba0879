// web.config settings poolhost does not honour (packages/config's effective configuration `warnings`,
// code POOLHOST_CONFIG_NOT_HONOURED): the file is served, and each setting is logged with its
// file:line:column, once per file the worker reads (the EffectiveConfigCache gives each file's once).
import { formatIssue, type ConfigIssue } from '@poolhost/config';
import type { Logger } from '@poolhost/common';

export function logNotHonoured(logger: Logger, warnings: readonly ConfigIssue[]): void {
  for (const warning of warnings) {
    logger.warn({ configWarning: { file: warning.file, line: warning.line, column: warning.column, code: warning.code } }, formatIssue(warning));
  }
}
