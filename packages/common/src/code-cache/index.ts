// V8's code cache for the executables' bundles: what their loaders (dist/<name>.js) use. Services
// themselves import firstWorkDone from @poolhost/common.
export { compileWithCodeCache, saveCodeCache, type CachedScript, type CodeCacheCoverage, type CodeCacheState } from './code-cache.js';
export { runCachedBundle, codeCacheFile, type CachedBundle, type CachedBundleOptions } from './cached-bundle.js';
export { saveServiceCodeCache, processEvents, type ServiceCodeCacheEvents } from './service-code-cache.js';
