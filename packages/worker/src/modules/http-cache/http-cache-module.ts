// HttpCacheModule, PreExecuteRequestHandler: decides whether the response to this request may go to
// httpsys' kernel response cache, and with which HTTP_CACHE_POLICY (reference iis-2.md §2.1–2.4):
//   - not when enableKernelCache="false", for a request that is not GET, has a query string, a body,
//     an Authorization header or an authenticated user, Range/If-Range, Translate: f, an Expect header,
//     a static default document reached through its folder's URL (`/` is not cached, `/default.htm` is),
//     a docFooter, ipSecurity rules or access sslFlags;
//   - a static file: cached by default, until the file changes (UserInvalidates with the file);
//   - anything else: the caching profile for the URL's extension (`*` for all) says —
//     kernelCachePolicy CacheUntilChange (needs a file at the URL to watch), CacheForTimePeriod (time
//     to live `duration`); DontCache and DisableCache do not cache (DisableCache also stops static files);
//   - not when the URL's profile varies (varyByHeaders, varyByQueryString): HTTP.SYS keys an entry by URL
//     alone, so IIS's output cache keeps varying responses out of it (DisableKernelCache, reason
//     HANDLER_HTTPSYS_UNFRIENDLY) — static files included;
//   - and only once the URL is frequently hit (serverRuntime).
// The response head is checked again when sent (kernel-cache-offer.ts). A traced request (FREB) gets an
// HTTPSYS_CACHEABLE event with the verdict and its reason. Compiled once per pipeline.
import { statSync } from 'node:fs';
import { extname } from 'node:path';
import { systemClock } from '@poolhost/common';
import type { CacheProfile, WebServerConfig } from '@poolhost/config';
import { KernelCachePolicyType } from '@poolhost/protocol';
import type { HttpContext } from '../../pipeline/http-context.js';
import type { HttpModule } from '../../pipeline/http-module.js';
import { workerStreamOf } from '../../data-plane/worker-stream.js';
import { FrequentHits } from './frequent-hits.js';
import { KernelCacheOffer, traceCacheable } from './kernel-cache-offer.js';

export function httpCacheModule(config: WebServerConfig): HttpModule {
  const caching = config.caching;
  const sections = config.sections;
  // Settings under which IIS never kernel-caches: only a traced request hears why.
  const ipSecurity = sections['security/ipSecurity'];
  const sslFlags = (sections['security/access']?.attributes.sslFlags ?? 'None').trim();
  const disabled = !caching.enableKernelCache
    ? 'HTTPSYS_CACHE_DISABLED'
    : config.staticContent.enableDocFooter
      ? 'FOOTER_ENABLED'
      : ipSecurity !== undefined && (ipSecurity.children.length > 0 || ipSecurity.attributes.allowUnlisted?.toLowerCase() === 'false')
        ? 'IP_RESTRICTION_SET'
        : sslFlags !== '' && sslFlags.toLowerCase() !== 'none'
          ? 'SSL_RESTRICTION'
          : null;
  if (disabled !== null) {
    return { name: 'HttpCacheModule', stages: { PreExecuteRequestHandler: (context) => traceCacheable(context.trace, disabled, null) } };
  }
  const profiles = new Map<string, CacheProfile>(caching.profiles.map((profile) => [profile.extension.toLowerCase(), profile]));
  const anyExtension = profiles.get('*');
  const logHits = !config.httpLogging.dontLog && config.httpLogging.selectiveLogging !== 'LogError';
  const frequentHits = new FrequentHits(config.serverRuntime.frequentHitThreshold, config.serverRuntime.frequentHitTimePeriod, systemClock);
  const maxResponseSize = caching.maxResponseSize;
  // Where compression could make a client's response differ from the one cached (compression.ts).
  const enabledModules = new Set(config.modules.modules.map((entry) => entry.name.toLowerCase()));
  const compresses = (kind: 'Static' | 'Dynamic'): boolean =>
    enabledModules.has(`${kind.toLowerCase()}compressionmodule`) && (sections['urlCompression']?.attributes[`do${kind}Compression`] ?? 'true').toLowerCase() !== 'false';
  const staticCompressedFrom = compresses('Static') ? Number(sections['httpCompression']?.attributes.minFileSizeForComp ?? 2700) : Infinity;
  const dynamicCompressedFrom = compresses('Dynamic') ? 1024 : Infinity;

  const preExecute = (context: HttpContext): void => {
    const stream = workerStreamOf(context.req);
    if (stream === null || stream.upgraded) return;
    const req = context.req;
    if (req.method !== 'GET') return notCached(context, 'VERB_NOT_GET');
    if (context.query !== '' || (req.url ?? '').includes('?')) return notCached(context, 'STATIC_REQUEST_QUERYSTRING');
    const headers = req.headers;
    if ((context.user !== null && context.user !== '') || headers.authorization !== undefined) return notCached(context, 'NON_ANONYMOUS_ACCESS');
    if (
      headers.range !== undefined ||
      headers['if-range'] !== undefined ||
      headers.expect !== undefined ||
      headers['transfer-encoding'] !== undefined ||
      (headers['content-length'] !== undefined && headers['content-length'] !== '0') ||
      String(headers.translate ?? '').trim().toLowerCase() === 'f'
    ) {
      return notCached(context, 'HANDLER_HTTPSYS_UNFRIENDLY');
    }
    const path = context.path;
    const handler = context.handler?.handler;
    if (!handler) return notCached(context, 'HANDLER_HTTPSYS_UNFRIENDLY');
    const profile = profiles.get(extname(path).toLowerCase()) ?? anyExtension;
    const kernelPolicy = profile?.kernelCachePolicy ?? 'DontCache';
    if (kernelPolicy === 'DisableCache') return notCached(context, 'HTTPSYS_CACHE_DISABLED');
    if (profile !== undefined && varies(profile)) return notCached(context, 'HANDLER_HTTPSYS_UNFRIENDLY');
    // A request that asked for compression and is answered uncompressed gets the same bytes as anyone.
    const asked = /gzip|deflate|br/i.test(String(headers['accept-encoding'] ?? ''));
    const compressedFrom = asked ? Infinity : handler.dynamic ? dynamicCompressedFrom : staticCompressedFrom;
    let offer: KernelCacheOffer;
    if (handler.module === 'StaticFileModule') {
      // A folder's URL answered with its default document is not cached (`/` no, `/default.htm` yes).
      const file = context.physicalPath;
      if (file === null || path.endsWith('/')) return notCached(context, 'HANDLER_HTTPSYS_UNFRIENDLY');
      const ttl = kernelPolicy === 'CacheForTimePeriod' ? KernelCachePolicyType.TimeToLive : KernelCachePolicyType.UserInvalidates;
      offer = new KernelCacheOffer(ttl, Math.ceil((profile?.duration ?? 0) / 1000), file, logHits, maxResponseSize, compressedFrom, true, context.trace);
    } else if (kernelPolicy === 'CacheForTimePeriod') {
      offer = new KernelCacheOffer(KernelCachePolicyType.TimeToLive, Math.ceil(profile!.duration / 1000), '', logHits, maxResponseSize, compressedFrom, false, context.trace);
    } else if (kernelPolicy === 'CacheUntilChange') {
      // NO_CACHE_INVALIDATOR: without a file at the URL nothing would ever flush the entry.
      const file = context.physicalPath;
      if (file === null || !isFile(file)) return notCached(context, 'NO_CACHE_INVALIDATOR');
      offer = new KernelCacheOffer(KernelCachePolicyType.UserInvalidates, 0, file, logHits, maxResponseSize, compressedFrom, false, context.trace);
    } else {
      return notCached(context, 'HTTPSYS_CACHE_DISABLED');
    }
    // Not in IIS's enum: poolhost names it, so a trace says why a URL is not cached yet.
    if (!frequentHits.hit(`${headers.host ?? ''}${path}`)) return notCached(context, 'NOT_FREQUENTLY_HIT');
    stream.kernelCache = offer;
  };
  return { name: 'HttpCacheModule', stages: { PreExecuteRequestHandler: preExecute } };
}

/** FREB's HTTPSYS_CACHEABLE with the reason the response is not offered (nothing when the request is not traced). */
function notCached(context: HttpContext, reason: string): void {
  if (context.trace !== null) traceCacheable(context.trace, reason, null);
}

/** A profile whose responses differ by request header or query parameter: one URL, several answers. */
function varies(profile: CacheProfile): boolean {
  return profile.varyByHeaders.trim() !== '' || profile.varyByQueryString.trim() !== '';
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
