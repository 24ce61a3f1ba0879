// RequestFilteringModule (reference §6.6), BeginRequest: limits and filters compiled once per
// application; the first rule a request breaks ends it with IIS's substatus — 404.14 URL too long,
// 404.15 query string too long, 404.11 double escaping, 404.12 high-bit characters, 404.5 denied URL
// sequence, 404.6 verb, 404.8 hidden segment, 404.7 file extension (so /web.config is 404.8, as in IIS), 404.18 query sequence, 413.1
// content length (declared, or counted as a chunked body arrives), 431 header too long. `node_modules` is a hidden segment in every application.
import type { RequestFilteringSection } from '@poolhost/config';
import type { HttpContext } from '../pipeline/http-context.js';
import type { HttpModule } from '../pipeline/http-module.js';

const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * 413.1, and the connection closes after it: IIS does not read the rest of a body it refused. A chunked
 * body found too large after the response started cannot get a page any more: the connection is cut.
 */
function entityTooLarge(context: HttpContext): void {
  context.closeConnection();
  if (context.res.headersSent) {
    context.completeRequest();
    context.res.destroy();
    return;
  }
  context.sendError(413, 1);
}

export function requestFilteringModule(section: RequestFilteringSection): HttpModule {
  const limits = section.requestLimits;
  const allowDoubleEscaping = section.allowDoubleEscaping;
  const allowHighBit = section.allowHighBitCharacters;
  const denySequences = section.denyUrlSequences.filter(Boolean).map((sequence) => sequence.toLowerCase());
  const denyQuerySequences = section.denyQueryStringSequences.filter(Boolean).map((sequence) => sequence.toLowerCase());
  const alwaysAllowed = new Set(section.alwaysAllowedUrls.map((url) => url.toLowerCase()));
  const extensions = new Map(section.fileExtensions.entries.map((entry) => [entry.fileExtension.toLowerCase(), entry.allowed]));
  const extensionsAllowUnlisted = section.fileExtensions.allowUnlisted;
  const checkExtensions = extensions.size > 0 || !extensionsAllowUnlisted;
  const verbs = new Map(section.verbs.entries.map((entry) => [entry.verb.toUpperCase(), entry.allowed]));
  const verbsAllowUnlisted = section.verbs.allowUnlisted;
  const checkVerbs = verbs.size > 0 || !verbsAllowUnlisted;
  // node_modules is always hidden (a Node application's dependencies are never content). It is not a
  // baseline entry because iisnode web.config files add it themselves, which would be a duplicate (500.19).
  const segments = [...new Set([...section.hiddenSegments.segments.filter(Boolean), 'node_modules'])];
  const hidden = segments.length ? new RegExp(`(?:^|/)(?:${segments.map(escapeRegex).join('|')})(?:/|$)`, 'i') : null;
  const headerLimits = limits.headerLimits.filter((limit) => limit.sizeLimit > 0).map((limit) => ({ header: limit.header.toLowerCase(), sizeLimit: limit.sizeLimit }));
  const { maxUrl, maxQueryString, maxAllowedContentLength } = limits;

  const beginRequest = (context: HttpContext): void => {
    const path = context.path;
    if (alwaysAllowed.size > 0 && alwaysAllowed.has(path.toLowerCase())) return;
    const rawPath = context.rawPath;
    if (rawPath.length > maxUrl) return context.sendError(404, 14);
    const query = context.query;
    if (query.length > maxQueryString) return context.sendError(404, 15);
    // IIS: a URL that would decode differently a second time (an escaped `%`), or with `+` in the path.
    if (!allowDoubleEscaping && (path.includes('%') || rawPath.includes('+'))) return context.sendError(404, 11);
    if (!allowHighBit && /[^\x00-\x7f]/.test(path)) return context.sendError(404, 12);
    if (denySequences.length) {
      const lowerRaw = rawPath.toLowerCase();
      const lower = path.toLowerCase();
      for (const sequence of denySequences) if (lowerRaw.includes(sequence) || lower.includes(sequence)) return context.sendError(404, 5);
    }
    if (checkVerbs) {
      const allowed = verbs.get(context.req.method ?? '');
      if (allowed === false || (allowed === undefined && !verbsAllowUnlisted)) return context.sendError(404, 6);
    }
    if (hidden !== null && hidden.test(path)) return context.sendError(404, 8);
    if (checkExtensions) {
      const slash = path.lastIndexOf('/');
      const dot = path.lastIndexOf('.');
      const extension = dot > slash ? path.slice(dot).toLowerCase() : '.';
      const allowed = extensions.get(extension);
      if (allowed === false || (allowed === undefined && !extensionsAllowUnlisted)) return context.sendError(404, 7);
    }
    if (denyQuerySequences.length && query) {
      let decoded = query;
      try {
        decoded = decodeURIComponent(query.replaceAll('+', ' '));
      } catch {
        // the raw form is checked anyway
      }
      const lowerQuery = query.toLowerCase();
      const lowerDecoded = decoded.toLowerCase();
      for (const sequence of denyQuerySequences) if (lowerQuery.includes(sequence) || lowerDecoded.includes(sequence)) return context.sendError(404, 18);
    }
    const headers = context.req.headers;
    const contentLength = headers['content-length'];
    if (contentLength !== undefined) {
      if (Number(contentLength) > maxAllowedContentLength) return entityTooLarge(context);
    } else if (headers['transfer-encoding'] !== undefined) {
      // A chunked body: counted as it arrives, refused once it passes the limit (IIS's ReadEntityBody).
      context.limitRequestBody(maxAllowedContentLength, entityTooLarge);
    }
    for (const limit of headerLimits) {
      const value = headers[limit.header];
      const length = value === undefined ? 0 : Array.isArray(value) ? value.join(', ').length : value.length;
      if (length > limit.sizeLimit) return context.sendError(431, 0);
    }
  };
  return { name: 'RequestFilteringModule', stages: { BeginRequest: beginRequest } };
}
