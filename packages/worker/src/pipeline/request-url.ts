// The URL as the pipeline sees it, canonicalised the way HTTP.SYS does before IIS looks at it: path and
// query split, %-escapes decoded, `.` and `..` segments resolved. A malformed escape, a NUL, or a `..`
// that climbs above the site root makes the request a 400. Backslashes stay as they are (the static
// file handler refuses them; they never become separators).

export interface RequestUrl {
  rawPath: string;
  path: string;
  query: string;
  bad: boolean;
}

export function parseRequestUrl(url: string): RequestUrl {
  const queryAt = url.indexOf('?');
  const rawPath = queryAt < 0 ? url : url.slice(0, queryAt);
  const query = queryAt < 0 ? '' : url.slice(queryAt + 1);
  let path = rawPath;
  if (path.includes('%')) {
    try {
      path = decodeURIComponent(path);
    } catch {
      return { rawPath, path: rawPath, query, bad: true };
    }
  }
  if (path.charCodeAt(0) !== 47 /* / */ || path.includes('\0')) return { rawPath, path, query, bad: true };
  if (path.includes('/.') || path.includes('//')) {
    const resolved = resolveDotSegments(path);
    if (resolved === null) return { rawPath, path, query, bad: true };
    path = resolved;
  }
  return { rawPath, path, query, bad: false };
}

/** `/a/./b/../c` → `/a/c`; null when `..` would climb above `/`. Empty segments collapse. */
export function resolveDotSegments(path: string): string | null {
  const out: string[] = [];
  const segments = path.split('/');
  for (let index = 1; index < segments.length; index++) {
    const segment = segments[index]!;
    if (segment === '.' || (segment === '' && index < segments.length - 1)) continue;
    if (segment === '..') {
      if (out.length === 0) return null;
      out.pop();
      continue;
    }
    out.push(segment);
  }
  return `/${out.join('/')}`;
}
