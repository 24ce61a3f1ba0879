// Runs a bundle that scripts/build.mjs built as a CommonJS function expression (dist/<name>.bundle.cjs)
// through V8's code cache (./code-cache.ts): w3wp's loader (worker/src/startup/w3wp-loader.ts) and the
// services' (./service-loader.ts) are this and their policy for saving the cache.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startupMark } from '../startup-trace/startup-trace.js';
import { compileWithCodeCache, saveCodeCache, type CodeCacheCoverage, type CodeCacheState } from './code-cache.js';

/** The bundle's top level: called with CommonJS' arguments and the bundle's URL for import.meta.url. */
type BundleFunction = (exports: object, require: NodeJS.Require, module: object, filename: string, dirname: string, importMetaUrl: string) => void;

export interface CachedBundleOptions {
  /** The folder of the bundle and its caches (dist/). */
  folder: string;
  /** The executable's name: the bundle is `<name>.bundle.cjs`. */
  name: string;
  /** The bundle's content hash (written into the loader by the build); the build removes caches of other hashes. */
  hash: string;
  /** 'latin1' when the build found the bundle ASCII (the same string, without decoding UTF-8), else 'utf8'. */
  encoding: 'latin1' | 'utf8';
  /**
   * The bundle's `require`: the loader's own. The loader (dist/<name>.js, CommonJS) sits beside the bundle,
   * so its `require` resolves what one made for the bundle's path would; `createRequire` would load
   * node:module (with the ES module loader's modules behind it) into every worker and service, ≈0.25 ms of
   * each start (docs/performance.md, "Demand start without a spare: the wall-clock path").
   */
  require: NodeJS.Require;
}

export interface CachedBundle {
  /** What became of the cache when the bundle was compiled. */
  state: CodeCacheState;
  /** What the cache that was used holds (`start-up` when none was used). */
  coverage: CodeCacheCoverage;
  /** Saves what has been compiled so far as the next process's cache (never throws; false when it could not). */
  save(coverage: CodeCacheCoverage): boolean;
}

/** The cache of `<name>.bundle.cjs`: per bundle hash, Node version and architecture (V8 refuses others anyway). */
export function codeCacheFile(options: CachedBundleOptions): string {
  return join(options.folder, `${options.name}.bundle.${options.hash}.${process.version}-${process.arch}.v8cache`);
}

/** Compiles the bundle (with its cache when there is a usable one) and runs its top level. */
export function runCachedBundle(options: CachedBundleOptions): CachedBundle {
  const bundle = join(options.folder, `${options.name}.bundle.cjs`);
  const cacheFile = codeCacheFile(options);
  const { script, state, coverage } = compileWithCodeCache(readFileSync(bundle, options.encoding), bundle, cacheFile);
  startupMark(`${options.name} bundle compiled`);
  const module = { exports: {} };
  (script.runInThisContext() as BundleFunction)(module.exports, options.require, module, bundle, options.folder, pathToFileURL(bundle).href);
  return { state, coverage, save: (saved) => saveCodeCache(script, cacheFile, saved) };
}
