// The StaticFile handler (modules="StaticFileModule,DefaultDocumentModule,DirectoryListingModule"):
//   - never a byte outside the virtual directory's folder: the URL reaching here is already decoded and
//     dot-resolved (a climb above the root was a 400); a backslash or NUL in it is 404; the file's real
//     path (symbolic links resolved) must still be inside the folder's real path, else 404;
//   - a folder without its trailing slash: 301 to the slash form; with it, the first defaultDocument
//     file that exists is served, else the directory listing when directoryBrowse is enabled, else 403.14;
//   - a file: GET/HEAD only (405 with Allow otherwise), a staticContent mimeMap or 404.3; an unconditional
//     request for a small file is answered from the file cache (file-cache.ts) with the same headers
//     `send` writes; everything else goes to `send`, which streams it with ETag, Last-Modified,
//     conditional GET (304/412) and Range (206/416); staticContent/clientCache adds Cache-Control or Expires.
import { realpathSync, statSync, type Stats } from 'node:fs';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { join, sep } from 'node:path';
import type SendModule from 'send';
import type { WebServerConfig } from '@poolhost/config';
import type { HttpContext } from '../pipeline/http-context.js';
import type { HandlerMapping, RequestHandler } from '../pipeline/handler-mapping.js';
import { directoryListingPage } from './directory-listing.js';
import { compileMimeMap, type MimeLookup } from './mime-map.js';
import { FileCache } from './file-cache.js';

export interface StaticFileOptions {
  defaultDocumentModule: boolean;
  directoryListingModule: boolean;
  /**
   * The handler mapping a default document gets, as any request for it would (IIS's DefaultDocumentModule
   * rewrites the URL and the request is mapped again): `index.js` mapped to iisnode runs the application.
   */
  mapDefaultDocument(context: HttpContext, fileName: string): HandlerMapping | null;
  /** A file name a handler of this configuration maps to iisnode (whatever the verb). */
  isIisnodeFile(fileName: string): boolean;
}

// `send` (with mime-types and mime-db) is loaded when the first file is served, not at worker start:
// ~17 ms of a cold start that most Node applications never need (docs/performance.md, cold start).
let send: typeof SendModule | null = null;
let loadingSend: Promise<typeof SendModule> | null = null;
function loadSend(): Promise<typeof SendModule> {
  loadingSend ??= import('send').then((module) => (send = module.default));
  return loadingSend;
}

/** One file cache per worker, shared by its applications (entries are keyed by real path). */
const fileCache = new FileCache();

/** This worker's file cache counters (W3SVC_W3WP), read with its other counters. */
export const fileCacheCounters = fileCache.counters;

/** Range and validators are `send`'s to answer; a plain GET or HEAD may come from the cache. */
function unconditional(headers: IncomingHttpHeaders): boolean {
  return (
    headers.range === undefined &&
    headers['if-none-match'] === undefined &&
    headers['if-modified-since'] === undefined &&
    headers['if-match'] === undefined &&
    headers['if-unmodified-since'] === undefined &&
    headers['if-range'] === undefined
  );
}

/** The entity headers `send` writes (Accept-Ranges, Last-Modified, a weak ETag from size and time), then the length. */
function writeCachedFile(res: ServerResponse, method: string, stats: Stats, body: Buffer, etag: boolean): void {
  if (!res.getHeader('Accept-Ranges')) res.setHeader('Accept-Ranges', 'bytes');
  if (!res.getHeader('Last-Modified')) res.setHeader('Last-Modified', stats.mtime.toUTCString());
  if (etag && !res.getHeader('ETag')) res.setHeader('ETag', `W/"${stats.size.toString(16)}-${stats.mtime.getTime().toString(16)}"`);
  res.setHeader('Content-Length', body.length);
  if (method === 'HEAD') res.end();
  else res.end(body);
}

const encodePath = (path: string): string => path.split('/').map(encodeURIComponent).join('/');

function movedPage(location: string): string {
  return `<head><title>Document Moved</title></head>\n<body><h1>Object Moved</h1>This document may be found <a HREF="${location.replace(/"/g, '&quot;')}">here</a></body>`;
}

export function staticFileHandler(config: WebServerConfig, options: StaticFileOptions): RequestHandler {
  // The table (≈380 entries with the IIS baseline's) is made on the first file served: an application whose
  // requests all go to Node never builds it, and a worker's start does not wait for it.
  let mimeTable: MimeLookup | null = null;
  const mimeType: MimeLookup = (fileName) => (mimeTable ??= compileMimeMap(config.staticContent))(fileName);
  const defaultDocuments = options.defaultDocumentModule && config.defaultDocument.enabled ? config.defaultDocument.files : [];
  const browse = options.directoryListingModule && config.directoryBrowse.enabled ? config.directoryBrowse : null;
  const hidden = new Set(config.requestFiltering.hiddenSegments.segments.map((segment) => segment.toLowerCase()));
  const cache = config.staticContent.clientCache;
  const setEtag = cache.setEtag;
  const realRoots = new Map<string, string | null>();

  const realRoot = (root: string): string | null => {
    let real = realRoots.get(root);
    if (real === undefined) {
      try {
        real = realpathSync(root);
      } catch {
        real = null;
      }
      realRoots.set(root, real);
    }
    return real;
  };

  /** The real path of `physical` when it lies inside the virtual directory's real folder, else null. */
  const inside = (context: HttpContext, physical: string): string | null => {
    const root = context.application.rootFor(context.path);
    const rootReal = root === null ? null : realRoot(root);
    if (rootReal === null) return null;
    let real: string;
    try {
      real = realpathSync(physical);
    } catch {
      return null;
    }
    return real === rootReal || real.startsWith(rootReal.endsWith(sep) ? rootReal : rootReal + sep) ? real : null;
  };

  const applyClientCache = (context: HttpContext): void => {
    switch (cache.cacheControlMode) {
      case 'DisableCache':
        context.res.setHeader('Cache-Control', 'no-cache');
        break;
      case 'UseMaxAge':
        context.res.setHeader('Cache-Control', `max-age=${Math.floor(cache.cacheControlMaxAge / 1000)}${cache.cacheControlCustom ? `,${cache.cacheControlCustom}` : ''}`);
        break;
      case 'UseExpires':
        if (cache.httpExpires) context.res.setHeader('Expires', cache.httpExpires);
        break;
      default:
        if (cache.cacheControlCustom) context.res.setHeader('Cache-Control', cache.cacheControlCustom);
    }
  };

  const serveFile = (context: HttpContext, file: string, fileName: string, stats: Stats): void | Promise<void> => {
    // Never the source of a script the iisnode handler runs, whatever the URL (a verb its handler does
    // not take, a symbolic link to it, another folder's URL for the same file).
    if (options.isIisnodeFile(fileName) || options.isIisnodeFile(file.slice(file.lastIndexOf(sep) + 1)) || context.application.setup.services.entryScripts.isEntryScript(file)) {
      return context.sendError(404, 0);
    }
    const type = mimeType(fileName);
    if (type === undefined) return context.sendError(404, 3);
    if (unconditional(context.req.headers)) {
      const cached = fileCache.lookup(file, stats);
      if (cached) {
        context.res.setHeader('Content-Type', type);
        applyClientCache(context);
        return writeCachedFile(context.res, context.req.method!, stats, cached.body, setEtag);
      }
      void fileCache.fill(file, stats);
    }
    return streamFromDisk(context, file, type);
  };

  /** `send` answers from the file (validators, ranges); the cache was looked up once already (one miss counted). */
  const streamFromDisk = (context: HttpContext, file: string, type: string): void | Promise<void> => {
    // A client gone while `send` loaded has closed its response already: nothing would resolve the wait below.
    if (send === null) return loadSend().then(() => (context.res.destroyed ? undefined : streamFromDisk(context, file, type)));
    const streamFile = send;
    const { req, res } = context;
    res.setHeader('Content-Type', type);
    applyClientCache(context);
    return new Promise<void>((resolve) => {
      res.once('close', resolve);
      streamFile(req, encodePath(file), { etag: setEtag, lastModified: true, acceptRanges: true, cacheControl: false, dotfiles: 'allow', index: false })
        .on('error', (error: { status?: number; statusCode?: number }) => {
          const status = error.status ?? error.statusCode ?? 500;
          res.removeHeader('Content-Type');
          context.sendError(status, 0, error);
          resolve();
        })
        .pipe(res);
    });
  };

  const execute = (context: HttpContext): void | Promise<void> => {
    const method = context.req.method;
    const path = context.path;
    if (method !== 'GET' && method !== 'HEAD') {
      context.res.setHeader('Allow', 'GET, HEAD, OPTIONS, TRACE');
      return context.sendError(405, 0);
    }
    const physical = context.physicalPath;
    if (physical === null || path.includes('\\') || path.includes('\0')) return context.sendError(404, 0);
    const real = inside(context, physical);
    if (real === null) return context.sendError(404, 0);
    let stats: Stats | undefined = context.resourceStats;
    if (stats === undefined) {
      try {
        stats = statSync(real);
      } catch {
        return context.sendError(404, 0);
      }
    }
    if (!stats.isDirectory()) return serveFile(context, real, path.slice(path.lastIndexOf('/') + 1), stats);
    if (!path.endsWith('/')) {
      const location = `${encodePath(path)}/${context.query ? `?${context.query}` : ''}`;
      const res = context.res;
      res.statusCode = 301;
      res.setHeader('Location', location);
      res.setHeader('Content-Type', 'text/html; charset=UTF-8');
      res.end(movedPage(location));
      return;
    }
    for (const document of defaultDocuments) {
      const candidate = join(real, document);
      let candidateStats: Stats;
      try {
        candidateStats = statSync(candidate);
      } catch {
        continue;
      }
      if (!candidateStats.isFile()) continue;
      const realDocument = inside(context, candidate);
      if (realDocument === null) continue;
      const mapping = options.mapDefaultDocument(context, document);
      if (mapping !== null && mapping.handler !== handler) return executeDefaultDocument(context, `${path}${document}`, mapping);
      return serveFile(context, realDocument, document, candidateStats);
    }
    if (browse !== null) {
      const res = context.res;
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.end(directoryListingPage(real, path, context.req.headers.host ?? 'localhost', browse.showFlags, (name) => hidden.has(name.toLowerCase())));
      return;
    }
    context.sendError(403, 14);
  };

  const handler: RequestHandler = { module: 'StaticFileModule', dynamic: false, execute };
  return handler;
}

/** The default document's own handler runs it, with the checks MapRequestHandler makes (500.21, 403.x). */
function executeDefaultDocument(context: HttpContext, path: string, mapping: HandlerMapping): void | Promise<void> {
  context.rewritePath(path);
  context.handler = mapping;
  if (mapping.handler === null) return context.sendError(500, 21, new Error(`Handler "${mapping.name}" has a bad module "${mapping.entry.modules}" in its module list`));
  if (mapping.accessDenied !== 0) return context.sendError(403, mapping.accessDenied);
  return mapping.handler.execute(context);
}
