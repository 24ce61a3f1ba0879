// Prints a configuration error the way compilers do: file:line:column: message.

export function formatConfigError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // ConfigError already reads `file:line:column: message. Fix: hint.`
  if (error.name === 'ConfigError') return error.message;
  const code = (error as NodeJS.ErrnoException).code;
  const path = (error as NodeJS.ErrnoException).path;
  if (code === 'ENOENT' && path) return `${path}: no such file (choose one with --config or POOLHOST_CONFIG)`;
  const located = error as Error & { file?: unknown; line?: unknown; column?: unknown };
  if (typeof located.file === 'string' && typeof located.line === 'number') {
    const where = `${located.file}:${located.line}${typeof located.column === 'number' ? `:${located.column}` : ''}`;
    return error.message.includes(where) ? error.message : `${where}: ${error.message}`;
  }
  return error.message;
}
