// IIS's applicationPath / virtualDirectoryPath validators: start with `/`, no trailing `/` (except `/`),
// no empty, `.` or `..` segment (reference §2).
export function urlPathProblem(path: string): string | undefined {
  if (!path.startsWith('/')) return 'it must start with "/"';
  if (path === '/') return undefined;
  if (path.endsWith('/')) return 'it must not end with "/"';
  for (const segment of path.slice(1).split('/')) {
    if (segment === '' || segment === '.' || segment === '..') return 'it must not contain empty, "." or ".." segments';
  }
  return undefined;
}
