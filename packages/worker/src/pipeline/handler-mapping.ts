// MapRequestHandler (reference §6.2): the effective `handlers` list, compiled once per application, walked
// top-down; the first entry whose `path` matches the requested file name and whose `verb` list holds the
// method wins. None: 404.4 (405.0 when an entry for this file name, not a `*` one, matched the path but not the verb). A matching entry
// whose resourceType wants a file or folder that is not there: 404.0. accessPolicy refusing the entry's
// requireAccess: 403.1 / 403.2. A handler whose module poolhost cannot run: 500.21.
import { statSync, type Stats } from 'node:fs';
import type { AccessPolicy, HttpHandlerEntry } from '@poolhost/config';
import type { HttpContext } from './http-context.js';

export interface RequestHandler {
  /** The module shown while the handler runs (`iisnode`, `StaticFileModule`, `ProtocolSupportModule`). */
  readonly module: string;
  /** Dynamic content (compression follows doDynamicCompression) or static (doStaticCompression). */
  readonly dynamic: boolean;
  execute(context: HttpContext): void | Promise<void>;
}

export interface HandlerMapping {
  readonly name: string;
  readonly entry: HttpHandlerEntry;
  /** null: a module poolhost does not have (500.21). */
  readonly handler: RequestHandler | null;
  matchesPath(fileName: string): boolean;
  /** null = every verb. */
  readonly verbs: ReadonlySet<string> | null;
  /** 0 allowed, else the 403 substatus accessPolicy gives. */
  readonly accessDenied: number;
}

export type HandlerResolver = (entry: HttpHandlerEntry) => RequestHandler | null;

export function compileHandlerMappings(entries: HttpHandlerEntry[], accessPolicy: AccessPolicy[], resolve: HandlerResolver): HandlerMapping[] {
  const policy = new Set(accessPolicy);
  return entries.map((entry) => ({
    name: entry.name,
    entry,
    handler: resolve(entry),
    matchesPath: pathMatcher(entry.path),
    verbs: entry.verb.trim() === '*' ? null : new Set(entry.verb.split(',').map((verb) => verb.trim().toUpperCase()).filter(Boolean)),
    accessDenied: accessDenied(entry.requireAccess, policy),
  }));
}

function accessDenied(requireAccess: HttpHandlerEntry['requireAccess'], policy: Set<AccessPolicy>): number {
  switch (requireAccess) {
    case 'Read':
      return policy.has('Read') ? 0 : 2;
    case 'Script':
      return policy.has('Script') || policy.has('Execute') ? 0 : 1;
    case 'Execute':
      return policy.has('Execute') ? 0 : 1;
    case 'Write':
      return policy.has('Write') ? 0 : 3;
    default:
      return 0;
  }
}

/** `*`, `*.ext`, `name.ext`, `*.` (extensionless), other wildcards (`*ScriptResource.axd`); case-insensitive. */
export function pathMatcher(pattern: string): (fileName: string) => boolean {
  const path = pattern.trim();
  if (path === '*') return () => true;
  if (path === '*.') return (fileName) => fileName !== '' && !fileName.includes('.');
  if (!/[*?]/.test(path)) {
    const lower = path.replace(/^.*[\\/]/, '').toLowerCase();
    return (fileName) => fileName.length === lower.length && fileName.toLowerCase() === lower;
  }
  if (/^\*\.[^*?]+$/.test(path)) {
    const suffix = path.slice(1).toLowerCase();
    return (fileName) => fileName.length > suffix.length && fileName.toLowerCase().endsWith(suffix);
  }
  const regex = new RegExp(`^${path.replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*').replaceAll('?', '.')}$`, 'i');
  return (fileName) => regex.test(fileName);
}

export function fileNameOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** The mapping a request for `fileName` with `method` gets (no resource check), or null when none matches. */
export function findHandlerMapping(mappings: HandlerMapping[], fileName: string, method: string): HandlerMapping | null {
  for (const mapping of mappings) {
    if (mapping.matchesPath(fileName) && (mapping.verbs === null || mapping.verbs.has(method))) return mapping;
  }
  return null;
}

/** The core MapRequestHandler step. */
export function mapRequestHandler(context: HttpContext, mappings: HandlerMapping[]): void {
  const fileName = fileNameOf(context.path);
  const method = context.req.method ?? 'GET';
  let pathMatched = false;
  for (const mapping of mappings) {
    if (!mapping.matchesPath(fileName)) continue;
    if (mapping.verbs !== null && !mapping.verbs.has(method)) {
      // A verb-specific catch-all (TRACEVerbHandler, OPTIONSVerbHandler) says nothing about this file.
      if (mapping.entry.path.trim() !== '*') pathMatched = true;
      continue;
    }
    context.handler = mapping;
    if (mapping.handler === null) return context.sendError(500, 21, new Error(`Handler "${mapping.name}" has a bad module "${mapping.entry.modules}" in its module list`));
    if (mapping.accessDenied !== 0) return context.sendError(403, mapping.accessDenied);
    const resourceType = mapping.entry.resourceType;
    if (resourceType !== 'Unspecified') {
      const stats = context.physicalPath === null ? undefined : statOrUndefined(context.physicalPath);
      context.resourceStats = stats;
      const fits = stats !== undefined && (resourceType === 'Either' || (resourceType === 'File' ? stats.isFile() : stats.isDirectory()));
      if (!fits) return context.sendError(404, 0);
    }
    return;
  }
  context.sendError(pathMatched ? 405 : 404, pathMatched ? 0 : 4);
}

export function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
