// An application without an entry script serves its folder: `send` does ETag, Last-Modified, Range and
// MIME types and refuses paths outside the root; default documents in IIS's order; a directory without
// its trailing slash gets a 301; IIS's hidden segments (web.config, bin, App_Data, …) are 404.
import type { IncomingMessage, ServerResponse } from 'node:http';
import send from 'send';
import type { HostedApplication } from './hosted-application.js';

export const DEFAULT_DOCUMENTS = ['Default.htm', 'Default.asp', 'index.htm', 'index.html', 'iisstart.htm'];
/** requestFiltering/hiddenSegments defaults (reference §6.6). */
const HIDDEN_SEGMENTS = new Set(
  ['web.config', 'bin', 'App_code', 'App_GlobalResources', 'App_LocalResources', 'App_WebReferences', 'App_Data', 'App_Browsers'].map((segment) =>
    segment.toLowerCase(),
  ),
);

export interface StaticVirtualDirectory {
  /** Relative to the application: `/` or `/a/b`. */
  path: string;
  physicalPath: string;
}

export class StaticFileApplication implements HostedApplication {
  readonly kind = 'StaticFileModule' as const;
  private readonly virtualDirectories: StaticVirtualDirectory[];

  constructor(
    readonly siteId: number,
    readonly siteName: string,
    readonly path: string,
    virtualDirectories: StaticVirtualDirectory[],
    private readonly defaultDocuments: string[] = DEFAULT_DOCUMENTS,
  ) {
    this.virtualDirectories = [...virtualDirectories].sort((a, b) => b.path.length - a.path.length);
  }

  acceptsUpgrade(): boolean {
    return false;
  }

  upgrade(): void {}

  handle(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const urlPath = queryAt < 0 ? url : url.slice(0, queryAt);
    const applicationPrefix = this.path === '/' ? 0 : this.path.length;
    const relative = urlPath.slice(applicationPrefix) || '/';
    const virtualDirectory = this.virtualDirectoryFor(relative);
    if (!virtualDirectory || this.isHidden(relative)) return notFound(res);
    const within = virtualDirectory.path === '/' ? relative : relative.slice(virtualDirectory.path.length) || '/';
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.statusCode = 405;
      res.setHeader('Allow', 'GET, HEAD');
      res.end();
      return;
    }
    send(req, within, { root: virtualDirectory.physicalPath, index: this.defaultDocuments, dotfiles: 'ignore' })
      .on('directory', () => {
        // 301 to the same URL with the trailing slash (send would drop the application path).
        res.statusCode = 301;
        res.setHeader('Location', `${urlPath}/${queryAt < 0 ? '' : url.slice(queryAt)}`);
        res.setHeader('Content-Type', 'text/html; charset=UTF-8');
        res.end(`<head><title>Document Moved</title></head>\n<body><h1>Object Moved</h1>This document may be found <a HREF="${urlPath}/">here</a></body>`);
      })
      .on('error', (error: { status?: number; statusCode?: number }) => {
        const status = error.status ?? error.statusCode ?? 500;
        if (status === 404) return notFound(res);
        res.statusCode = status;
        res.end();
      })
      .pipe(res);
  }

  private virtualDirectoryFor(relative: string): StaticVirtualDirectory | null {
    const lower = relative.toLowerCase();
    for (const directory of this.virtualDirectories) {
      if (directory.path === '/') return directory;
      const prefix = directory.path.toLowerCase();
      if (lower === prefix || lower.startsWith(`${prefix}/`)) return directory;
    }
    return null;
  }

  private isHidden(relative: string): boolean {
    let decoded = relative;
    try {
      decoded = decodeURIComponent(relative);
    } catch {
      return true;
    }
    for (const segment of decoded.split('/')) if (segment && HIDDEN_SEGMENTS.has(segment.toLowerCase())) return true;
    return false;
  }
}

function notFound(res: ServerResponse): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.statusCode = 404;
  res.setHeader('Content-Type', 'text/html');
  res.end('<!DOCTYPE html><html><head><title>404 - File or directory not found.</title></head><body><h2>404 - File or directory not found.</h2></body></html>');
}
