// dist/<service>.js for httpsys, w3svc, was, inetmgr and nettcpactivator: runs the service's bundle
// (dist/<service>.bundle.cjs, built from its src/main.ts) through V8's code cache, so that the code of
// a service's start and of its part in a demand start runs from bytecode a previous process saved
// instead of being compiled the first time it runs (docs/performance.md, "The services' code cache").
// scripts/build.mjs builds it once per service, writing in the constants below.
import { runCachedBundle } from './cached-bundle.js';
import { saveServiceCodeCache } from './service-code-cache.js';

/** The executable's name (`httpsys`, `w3svc`, …): its bundle and cache are named after it, so each is made under its own Node flags. */
declare const SERVICE_BUNDLE_NAME: string;
/** The bundle's content hash. */
declare const SERVICE_BUNDLE_HASH: string;
/** 'latin1' when the build found the bundle ASCII, else 'utf8'. */
declare const SERVICE_BUNDLE_ENCODING: 'latin1' | 'utf8';

saveServiceCodeCache(runCachedBundle({ folder: __dirname, name: SERVICE_BUNDLE_NAME, hash: SERVICE_BUNDLE_HASH, encoding: SERVICE_BUNDLE_ENCODING, require }));
