// dist/w3wp.js: the tiny entry that runs the w3wp bundle (dist/w3wp.bundle.cjs, built from src/main.ts)
// through V8's code cache (./code-cache.ts). A worker that compiled the bundle from source saves the
// cache for the next worker once it has run a while, or when it exits — whichever comes first (a
// worker started for one request may live less than the wait).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compileWithCodeCache, saveCodeCache } from './code-cache.js';
import { IMPORT_MODULE, type ImportModule } from '../hosting/import-module.js';

/** The bundle's content hash, written in by scripts/build.mjs. */
declare const W3WP_BUNDLE_HASH: string;
/** 'latin1' when the build found the bundle ASCII (then latin1 reads the same string without decoding UTF-8), else 'utf8'. */
declare const W3WP_BUNDLE_ENCODING: 'latin1' | 'utf8';

/** Long enough for start-up and a first request to have compiled what a worker runs; the timer never holds the process. */
const SAVE_AFTER_MS = 2_000;

type BundleFunction = (exports: object, require: NodeJS.Require, module: object, filename: string, dirname: string, importMetaUrl: string) => void;

const folder = dirname(fileURLToPath(import.meta.url));
const bundle = join(folder, 'w3wp.bundle.cjs');
const cacheFile = join(folder, `w3wp.bundle.${W3WP_BUNDLE_HASH}.${process.version}-${process.arch}.v8cache`);
const { script, state } = compileWithCodeCache(readFileSync(bundle, W3WP_BUNDLE_ENCODING), bundle, cacheFile);
const lentImport: ImportModule = (url) => import(url);
(globalThis as Record<symbol, ImportModule>)[IMPORT_MODULE] = lentImport;
const module = { exports: {} };
(script.runInThisContext() as BundleFunction)(module.exports, createRequire(bundle), module, bundle, folder, pathToFileURL(bundle).href);
if (state !== 'used') {
  let saved = false;
  const save = (): void => {
    if (saved) return;
    saved = true;
    saveCodeCache(script, cacheFile);
  };
  setTimeout(save, SAVE_AFTER_MS).unref();
  process.once('exit', save);
}
