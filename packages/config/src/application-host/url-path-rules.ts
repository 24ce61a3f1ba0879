// IIS's applicationPath / virtualDirectoryPath validators: start with `/`, no trailing `/` (except `/`),
// no empty, `.` or `..` segment.

export function urlPathProblem(path: string): string | undefined {
  if (!path.startsWith('/')) return 'it must start with "/"';
  if (path === '/') return undefined;
  if (path.endsWith('/')) return 'it must not end with "/"';
  for (const segment of path.slice(1).split('/')) {
    if (segment === '') return 'it contains an empty segment ("//")';
    if (segment === '.' || segment === '..') return `it contains a "${segment}" segment`;
  }
  if (path.includes('\\')) return 'it contains "\\"; use "/"';
  return undefined;
}
