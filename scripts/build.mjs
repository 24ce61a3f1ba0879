// Bundles every executable (src/main.ts of each package with a bin) into dist/<bin>.js with esbuild.
// Workers are spawned on demand, so they start from one plain JavaScript file, never through tsx.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, existsSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const packagesDir = join(root, 'packages');

// Workspace code is inlined. A third-party package the executable's own package depends on stays
// external and loads from its node_modules; one that only an inlined workspace package depends on
// (fast-xml-parser through @poolhost/config) is inlined too, since the bundle could not resolve it.
function packageName(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}
// Inlined into every executable even where its package depends on it (measured at rest, docs/performance.md,
// "Idle memory"): fast-xml-parser, because @poolhost/config uses its validator alone and esbuild drops
// the parser and builder (from node_modules its entry loads all three: +9.8 MB of RSS, 2.5 MB of heap,
// against +1.9 and 0.5 MB); pino, yargs and pidusage, because a service whose bundle imports no
// CommonJS package from node_modules never starts Node's CommonJS-from-ESM path (cjs-module-lexer,
// which is WebAssembly: its compiler's pages of the `node` binary) nor resolves dozens of files —
// httpsys 56 → 49 MB of RSS at rest. acme-client and pino-pretty stay external and are loaded on use.
const alwaysInlined = new Set(['fast-xml-parser', 'pino', 'yargs', 'pidusage']);
const externalThirdParty = (packageDirectory) => ({
  name: 'external-third-party',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('@poolhost/') || args.path.startsWith('node:')) return undefined;
      if (alwaysInlined.has(packageName(args.path))) return undefined;
      if (existsSync(join(packageDirectory, 'node_modules', packageName(args.path)))) return { path: args.path, external: true };
      return undefined;
    });
  },
});

/** Applies a plugin's edits to one file; each must find its text, or the build fails. */
function rewrite(path, contents, edits) {
  for (const [from, to] of edits) {
    const found = typeof from === 'string' ? contents.includes(from) : from.test(contents);
    if (!found) throw new Error(`${path}: expected ${from} (scripts/build.mjs)`);
    contents = contents.replace(from, to);
  }
  return contents;
}

/**
 * Node built-ins that pino's modules load at the top only for what a worker never uses — transports
 * (thread-stream: worker_threads, assert; transport.js: node:module, to resolve a transport's target),
 * pino's own destination (sonic-boom: assert, for one check when flushing; tools.js: worker_threads'
 * isMainThread, when building that destination) — are required where they are used instead: ≈1.7 ms of
 * every worker's start (`assert` ≈1.0, `worker_threads` ≈0.4, `module` ≈0.25;
 * loggers write to process.stdout, @poolhost/common's logger.ts). Each rewrite must find its text, so a
 * pino that changes them fails the build instead of loading them silently again. docs/performance.md,
 * "Demand start without a spare: the wall-clock path".
 */
const loggerBuiltinsOnUse = {
  name: 'logger-builtins-on-use',
  setup(b) {
    const rewrites = [
      {
        file: /[\\/]pino[\\/]lib[\\/]transport\.js$/,
        edits: [
          ["const ThreadStream = require('thread-stream')", "let ThreadStreamClass\nconst threadStream = () => (ThreadStreamClass ??= require('thread-stream'))"],
          ["const { createRequire } = require('module')", "const createRequire = (from) => require('module').createRequire(from)"],
          ['const stream = new ThreadStream({', 'const stream = new (threadStream())({'],
        ],
      },
      {
        file: /[\\/]pino[\\/]lib[\\/]tools\.js$/,
        edits: [
          ["const { isMainThread } = require('worker_threads')", ''],
          ['if (!opts.sync && isMainThread) {', "if (!opts.sync && require('worker_threads').isMainThread) {"],
          // loggerModulesOnUse's (transports, sonic-boom, on-exit-leak-free), here since a file has one onLoad
          ["const transport = require('./transport')", "const transport = (...args) => require('./transport')(...args)"],
          // Until pino builds its own destination no stream can be a SonicBoom.
          ["const SonicBoom = require('sonic-boom')", "let SonicBoomClass\nconst SonicBoom = () => (SonicBoomClass ??= require('sonic-boom'))"],
          ["const onExit = require('on-exit-leak-free')", "let onExitModule\nconst onExit = () => (onExitModule ??= require('on-exit-leak-free'))"],
          ['const stream = new SonicBoom(opts)', 'const stream = new (SonicBoom())(opts)'],
          ['onExit.register(stream, autoEnd)', 'onExit().register(stream, autoEnd)'],
          ['onExit.unregister(stream)', 'onExit().unregister(stream)'],
          ['opts instanceof SonicBoom ||', '(SonicBoomClass !== undefined && opts instanceof SonicBoomClass) ||'],
          ['opts.transport instanceof SonicBoom ||', '(SonicBoomClass !== undefined && opts.transport instanceof SonicBoomClass) ||'],
          ["const { mapHttpRequest, mapHttpResponse } = require('pino-std-serializers')", "const mapHttpRequest = (request) => require('pino-std-serializers').mapHttpRequest(request)\nconst mapHttpResponse = (response) => require('pino-std-serializers').mapHttpResponse(response)"],
        ],
      },
      {
        file: /[\\/]sonic-boom[\\/]index\.js$/,
        edits: [[/^const assert = require\('(node:)?assert'\)$/m, "const assert = (value, message) => require('node:assert')(value, message)"]],
      },
    ];
    for (const { file, edits } of rewrites) {
      b.onLoad({ filter: file }, (args) => ({ contents: rewrite(args.path, readFileSync(args.path, 'utf8'), edits), loader: 'js' }));
    }
  },
};

/**
 * Modules of pino that a worker's logger never runs but pino loads at its top are required on their
 * first use instead: transports (pino.transport; tools.js' `transport`, for the `transport` option),
 * multistream, redaction's @pinojs/redact (only with the `redact` option), pino-std-serializers (the
 * default `err` serializer, pino.stdSerializers and tools.js' request/response mapping call it when they
 * run), and — in tools.js, rewritten by loggerBuiltinsOnUse since a file has one onLoad — sonic-boom (with
 * atomic-sleep's SharedArrayBuffer) and on-exit-leak-free, which serve pino's own destination only (loggers
 * write to process.stdout). A CommonJS module esbuild inlines is a wrapper that V8 compiles, with a
 * SharedFunctionInfo in the code cache for each function inside, only once it is called: the worker's
 * code cache 469.7 → 458.7 KB, ≈1 % fewer instructions to ATTACH. Each rewrite must find its text.
 * docs/performance.md, "What the worker bundle holds".
 */
// pino.stdSerializers' names, read from the pino-std-serializers that pino resolves.
const stdSerializerNames = (() => {
  const pinoRequire = createRequire(createRequire(join(packagesDir, 'common', 'package.json')).resolve('pino'));
  return Object.keys(pinoRequire('pino-std-serializers'));
})();
const loggerModulesOnUse = {
  name: 'logger-modules-on-use',
  setup(b) {
    const rewrites = [
      {
        file: /[\\/]pino[\\/]pino\.js$/,
        edits: [
          ["module.exports.transport = require('./lib/transport')", "Object.defineProperty(module.exports, 'transport', { enumerable: true, configurable: true, writable: true, value: (...args) => require('./lib/transport')(...args) })"],
          ["module.exports.multistream = require('./lib/multistream')", "Object.defineProperty(module.exports, 'multistream', { enumerable: true, configurable: true, writable: true, value: (...args) => require('./lib/multistream')(...args) })"],
          // pino-std-serializers: `err` is the default serializer, the others pino.stdSerializers'.
          ["const stdSerializers = require('pino-std-serializers')", "const stdSerializers = () => require('pino-std-serializers')"],
          ['const defaultErrorSerializer = stdSerializers.err', 'const defaultErrorSerializer = function err (error) { return stdSerializers().err(error) }'],
          ['const serializers = Object.assign(Object.create(null), stdSerializers)', () => `const serializers = Object.create(null)\nfor (const key of ${JSON.stringify(stdSerializerNames)}) Object.defineProperty(serializers, key, { enumerable: true, configurable: true, get: () => stdSerializers()[key] })`],
        ],
      },
      {
        file: /[\\/]pino[\\/]lib[\\/]redaction\.js$/,
        edits: [["const Redact = require('@pinojs/redact')", "const Redact = (...args) => require('@pinojs/redact')(...args)"]],
      },
    ];
    for (const { file, edits } of rewrites) {
      b.onLoad({ filter: file }, (args) => ({ contents: rewrite(args.path, readFileSync(args.path, 'utf8'), edits), loader: 'js' }));
    }
  },
};

/**
 * The services poolhost starts: each runs from its bundle compiled with V8's code cache, as w3wp does
 * (below), so that the code of a service's start and of its part in a demand start comes from the
 * cache instead of being compiled when it first runs (docs/performance.md, "The services' code cache").
 * Their third-party packages stay as they were (externalThirdParty).
 */
const services = new Set(['httpsys', 'w3svc', 'was', 'inetmgr', 'nettcpactivator']);

const started = Date.now();
const jobs = [];
for (const name of readdirSync(packagesDir)) {
  const manifestPath = join(packagesDir, name, 'package.json');
  if (!existsSync(manifestPath)) continue;
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const entry = join(packagesDir, name, 'src', 'main.ts');
  if (!manifest.bin || !existsSync(entry)) continue;
  for (const bin of Object.keys(manifest.bin)) {
    const dist = join(packagesDir, name, 'dist');
    const options = {
      entryPoints: [entry],
      outfile: join(dist, `${bin}.js`),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      sourcemap: 'linked',
      logLevel: 'warning',
      plugins: [externalThirdParty(join(packagesDir, name))],
      banner: { js: "import { createRequire as __poolhostCreateRequire } from 'node:module'; const require = __poolhostCreateRequire(import.meta.url);" },
    };
    jobs.push(bin === 'w3wp' ? buildWorker(options, dist) : bin === 'poolhost' ? buildPoolhost(options, dist) : services.has(bin) ? buildService(options, dist, bin) : build(options));
  }
}

/**
 * w3wp is spawned on every demand start and crash. Its third-party packages are inlined too, which
 * saves ~60 ms of module resolution per start (measured: pino + send + fast-xml-parser load in ~75 ms
 * from node_modules, ~15 ms from one file). The bundle is a CommonJS function expression,
 * dist/w3wp.bundle.cjs, that dist/w3wp.js (src/startup/w3wp-loader.ts) compiles with V8's code cache,
 * named after the bundle's hash. See docs/performance.md (cold start).
 */
function buildWorker(options, dist) {
  return buildCodeCached(options, dist, 'w3wp', {
    plugins: [loggerBuiltinsOnUse, loggerModulesOnUse],
    loader: join(packagesDir, 'worker', 'src', 'startup', 'w3wp-loader.ts'),
    loaderDefine: (hash, encoding) => ({ W3WP_BUNDLE_HASH: JSON.stringify(hash), W3WP_BUNDLE_ENCODING: JSON.stringify(encoding) }),
  });
}

async function buildService(options, dist, bin) {
  const bundle = await buildCodeCached(options, dist, bin, {
    plugins: options.plugins,
    loader: join(packagesDir, 'common', 'src', 'code-cache', 'service-loader.ts'),
    loaderDefine: (hash, encoding) => ({ SERVICE_BUNDLE_NAME: JSON.stringify(bin), SERVICE_BUNDLE_HASH: JSON.stringify(hash), SERVICE_BUNDLE_ENCODING: JSON.stringify(encoding) }),
  });
  // In Node 20 an import() inside a script compiled with cachedData has no loader behind it
  // (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING once the cache is used, never under tsx): w3wp's loader lends
  // its own import() to the code that needs one (worker/src/hosting/import-module.ts). A service has
  // none; one that gains one must do the same, so the build refuses it rather than let it fail later.
  if (/\bimport\s*\(/.test(readFileSync(bundle, 'latin1'))) {
    throw new Error(`${bundle}: a dynamic import() in a service's code-cached bundle needs a lent import (see worker/src/hosting/import-module.ts; scripts/build.mjs, buildService)`);
  }
}

/**
 * Builds `<bin>` as a CommonJS function expression, dist/<bin>.bundle.cjs, and its loader, dist/<bin>.js,
 * which compiles the bundle as a vm.Script with V8's code cache (@poolhost/common's code-cache/: the
 * cache is named after the bundle's hash, and the build removes the caches of older bundles).
 */
async function buildCodeCached(options, dist, bin, { plugins, loader, loaderDefine }) {
  const bundle = join(dist, `${bin}.bundle.cjs`);
  await build({
    ...options,
    outfile: bundle,
    format: 'cjs',
    plugins,
    // The loader calls this function with CommonJS' arguments and the bundle's URL for import.meta.url
    // (the worker resolves `compression` relative to it; protocol's executables.ts finds the repository
    // from it). Strict, as the ESM bundle was.
    define: { 'import.meta.url': '__poolhostImportMetaUrl' },
    banner: { js: '(function (exports, require, module, __filename, __dirname, __poolhostImportMetaUrl) {"use strict";' },
    footer: { js: '})' },
    // Whitespace and comments out (names and syntax as written, so stack traces still name every
    // function; dist/<bin>.bundle.cjs.map maps positions back to the TypeScript): w3wp's 905 → 645 KB
    // that every worker reads, and without the comments' em dashes the file is ASCII, which V8 keeps as
    // a one-byte string (the source stays on the heap: 1.8 MB as two-byte before). docs/performance.md,
    // "Demand start without a spare".
    minifyWhitespace: true,
    metafile: !!process.env.POOLHOST_BUILD_METAFILE,
  }).then((result) => { if (result.metafile) writeFileSync(join(dist, `${bin}.meta.json`), JSON.stringify(result.metafile)); });
  const bundleBytes = readFileSync(bundle);
  const hash = createHash('sha256').update(bundleBytes).digest('hex').slice(0, 16);
  // ASCII (esbuild escapes non-ASCII in strings, and comments are gone; a legal comment at the end could
  // still hold some): the loader reads it as latin1, a copy, instead of decoding UTF-8.
  const ascii = !bundleBytes.some((byte) => byte > 0x7f);
  // Caches of older bundles go, with any temporary file a process killed while saving one left behind.
  for (const file of readdirSync(dist)) {
    if (file.startsWith(`${bin}.bundle.`) && file.includes('.v8cache') && !file.includes(hash)) unlinkSync(join(dist, file));
  }
  // The loader is CommonJS too (dist/package.json says so for dist/<bin>.js): Node starts a CommonJS
  // main script without its ES module loader, ~4 ms sooner; the loader's import() still reaches it.
  writeFileSync(join(dist, 'package.json'), '{ "type": "commonjs" }\n');
  await build({
    ...options,
    entryPoints: [loader],
    format: 'cjs',
    plugins: [],
    define: { ...loaderDefine(hash, ascii ? 'latin1' : 'utf8'), 'import.meta.url': '__poolhostLoaderUrl' },
    banner: { js: "'use strict'; const __poolhostLoaderUrl = require('node:url').pathToFileURL(__filename).href;" },
  });
  return bundle;
}

/**
 * poolhost's own process sets V8 flags before its bundle's imports are evaluated: dist/poolhost.js is
 * a small loader (src/startup/poolhost-loader.ts) that sets them and imports dist/poolhost.main.js.
 */
async function buildPoolhost(options, dist) {
  await build({ ...options, outfile: join(dist, 'poolhost.main.js') });
  await build({ ...options, entryPoints: [join(packagesDir, 'poolhost', 'src', 'startup', 'poolhost-loader.ts')], banner: undefined });
}

await Promise.all(jobs);
if (!process.env.POOLHOST_BUILD_QUIET) console.log(`built ${jobs.length} executables in ${Date.now() - started} ms`);
