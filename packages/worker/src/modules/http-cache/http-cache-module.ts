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
//   - and only once the URL is frequently hit (serverRuntime).
// The response head is checked again when sent (kernel-cache-offer.ts). Compiled once per pipeline.
import { statSync } from 'node:fs';
import { extname } from 'node:path';
import { systemClock } from '@poolhost/common';
import type { CacheProfile, WebServerConfig } from '@poolhost/config';
import { KernelCachePolicyType } from '@poolhost/protocol';
import type { HttpContext } from '../../pipeline/http-context.js';
import type { HttpModule } from '../../pipeline/http-module.js';
import { workerStreamOf } from '../../data-plane/worker-stream.js';
import { FrequentHits } from './frequent-hits.js';
import { KernelCacheOffer } from './kernel-cache-offer.js';

export function httpCacheModule(config: WebServerConfig): HttpModule | null {
  const caching = config.caching;
  if (!caching.enableKernelCache) return null;
  const sections = config.sections;
  // Settings under which IIS never kernel-caches (FOOTER_ENABLED, IP_RESTRICTION_SET, SSL_RESTRICTION).
  const ipSecurity = sections['security/ipSecurity'];
  const sslFlags = (sections['security/access']?.attributes.sslFlags ?? 'None').trim();
  if (
    config.staticContent.enableDocFooter ||
    (ipSecurity !== undefined && (ipSecurity.children.length > 0 || ipSecurity.attributes.allowUnlisted?.toLowerCase() === 'false')) ||
    (sslFlags !== '' && sslFlags.toLowerCase() !== 'none')
  ) {
    return null;
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
    if (req.method !== 'GET' || context.query !== '' || (req.url ?? '').includes('?')) return;
    if (context.user !== null && context.user !== '') return;
    const headers = req.headers;
    if (
      headers.authorization !== undefined ||
      headers.range !== undefined ||
      headers['if-range'] !== undefined ||
      headers.expect !== undefined ||
      headers['transfer-encoding'] !== undefined ||
      (headers['content-length'] !== undefined && headers['content-length'] !== '0') ||
      String(headers.translate ?? '').trim().toLowerCase() === 'f'
    ) {
      return;
    }
    const path = context.path;
    const handler = context.handler?.handler;
    if (!handler) return;
    const profile = profiles.get(extname(path).toLowerCase()) ?? anyExtension;
    const kernelPolicy = profile?.kernelCachePolicy ?? 'DontCache';
    if (kernelPolicy === 'DisableCache') return;
    // A request that asked for compression and is answered uncompressed gets the same bytes as anyone.
    const asked = /gzip|deflate|br/i.test(String(headers['accept-encoding'] ?? ''));
    const compressedFrom = asked ? Infinity : handler.dynamic ? dynamicCompressedFrom : staticCompressedFrom;
    let offer: KernelCacheOffer;
    if (handler.module === 'StaticFileModule') {
      // A folder's URL answered with its default document is not cached (`/` no, `/default.htm` yes).
      const file = context.physicalPath;
      if (file === null || path.endsWith('/')) return;
      const ttl = kernelPolicy === 'CacheForTimePeriod' ? KernelCachePolicyType.TimeToLive : KernelCachePolicyType.UserInvalidates;
      offer = new KernelCacheOffer(ttl, Math.ceil((profile?.duration ?? 0) / 1000), file, logHits, maxResponseSize, compressedFrom, true);
    } else if (kernelPolicy === 'CacheForTimePeriod') {
      offer = new KernelCacheOffer(KernelCachePolicyType.TimeToLive, Math.ceil(profile!.duration / 1000), '', logHits, maxResponseSize, compressedFrom, false);
    } else if (kernelPolicy === 'CacheUntilChange') {
      // NO_CACHE_INVALIDATOR: without a file at the URL nothing would ever flush the entry.
      const file = context.physicalPath;
      if (file === null || !isFile(file)) return;
      offer = new KernelCacheOffer(KernelCachePolicyType.UserInvalidates, 0, file, logHits, maxResponseSize, compressedFrom, false);
    } else {
      return;
    }
    if (!frequentHits.hit(`${headers.host ?? ''}${path}`)) return;
    stream.kernelCache = offer;
  };
  return { name: 'HttpCacheModule', stages: { PreExecuteRequestHandler: preExecute } };
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
