// Application = the longest application path that is a segment-aligned, case-insensitive prefix of the
// URL path (`/app1` matches `/app1` and `/app1/x`, not `/app10`) — reference §4.6 step 4. Lookups walk
// at most as many segments as the deepest application has, one Map probe per segment.

export interface ApplicationEntry {
  /** As configured: `/` or `/a/b`. */
  path: string;
  applicationPool: string;
}

const MAX_DEPTH = 64;
const boundaries = new Int32Array(MAX_DEPTH);

export class ApplicationMatcher {
  private readonly byPath = new Map<string, ApplicationEntry>();
  private root: ApplicationEntry | null = null;
  private maxDepth = 0;

  constructor(applications: readonly ApplicationEntry[]) {
    for (const application of applications) {
      const path = application.path === '' ? '/' : application.path;
      if (path === '/') {
        this.root = application;
        continue;
      }
      const key = path.toLowerCase().replace(/\/+$/, '');
      this.byPath.set(key, application);
      const depth = key.split('/').length - 1;
      this.maxDepth = Math.min(MAX_DEPTH, Math.max(this.maxDepth, depth));
    }
  }

  get size(): number {
    return this.byPath.size + (this.root ? 1 : 0);
  }

  /** `url` is the raw request target (`/a/b?x`); null when no application (not even `/`) covers it. */
  match(url: string): ApplicationEntry | null {
    if (this.maxDepth === 0) return this.root;
    let end = url.indexOf('?');
    if (end < 0) end = url.length;
    let count = 0;
    let from = 1;
    while (count < this.maxDepth) {
      const slash = url.indexOf('/', from);
      if (slash < 0 || slash >= end) {
        boundaries[count++] = end;
        break;
      }
      boundaries[count++] = slash;
      from = slash + 1;
    }
    for (let depth = count - 1; depth >= 0; depth--) {
      let candidate = url.slice(0, boundaries[depth]);
      if (candidate.includes('%')) candidate = decodePath(candidate);
      const entry = this.byPath.get(candidate.toLowerCase());
      if (entry) return entry;
    }
    return this.root;
  }
}

function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
