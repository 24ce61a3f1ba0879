// dist/w3wp.js: the tiny entry that runs the w3wp bundle (dist/w3wp.bundle.cjs, built from src/main.ts)
// through V8's code cache (@poolhost/common's code-cache/). A worker that compiled the bundle from
// source saves the cache for the next worker once it has run a while, or when it exits cleanly —
// whichever comes first (a worker started for one request may live less than the wait). The services'
// policy (service-code-cache.ts) with one difference: a worker's whole life is its work, so its first
// work is its start.
import { startupMark } from '@poolhost/common/startup-trace';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { processEvents, runCachedBundle, saveServiceCodeCache } from '@poolhost/common/code-cache';
import { IMPORT_MODULE, REQUIRE_MODULE, type ImportModule } from '../hosting/import-module.js';

/** The bundle's content hash, written in by scripts/build.mjs. */
declare const W3WP_BUNDLE_HASH: string;
/** 'latin1' when the build found the bundle ASCII (then latin1 reads the same string without decoding UTF-8), else 'utf8'. */
declare const W3WP_BUNDLE_ENCODING: 'latin1' | 'utf8';

startupMark('w3wp process start', 0);
startupMark('w3wp loader');
const lentImport: ImportModule = (url) => import(url);
(globalThis as Record<symbol, ImportModule>)[IMPORT_MODULE] = lentImport;
(globalThis as Record<symbol, NodeJS.Require>)[REQUIRE_MODULE] = require;
const bundle = runCachedBundle({ folder: dirname(fileURLToPath(import.meta.url)), name: 'w3wp', hash: W3WP_BUNDLE_HASH, encoding: W3WP_BUNDLE_ENCODING, require });
saveServiceCodeCache(bundle, { ...processEvents, onFirstWork: (listener) => listener() });
