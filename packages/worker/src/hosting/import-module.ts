// import() of application code (entry scripts, application modules). w3wp runs from a vm.Script
// compiled with V8's code cache (src/startup/w3wp-loader.ts), and a script compiled that way has no
// module loader behind its import() in Node 20 (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING once the
// cache is used), so the loader, itself an ES module, lends its own import(). Without the loader
// (tests under tsx) import() works as is.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, extname, isAbsolute, join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const IMPORT_MODULE = Symbol.for('poolhost.w3wp.importModule');

export type ImportModule = (url: string) => Promise<Record<string, unknown>>;

/**
 * The loader lends its `require` too (dist/w3wp.js is CommonJS): requiring an absolute path with it loads
 * what `createRequire(file)(file)` would, without loading node:module — and the ES module loader's modules
 * it brings — into every worker's start (≈0.25 ms; docs/performance.md, "Demand start without a spare:
 * the wall-clock path"). Without the loader (tests under tsx) a require is made for the file.
 */
export const REQUIRE_MODULE = Symbol.for('poolhost.w3wp.requireModule');

function requireFor(file: string): NodeJS.Require {
  const lent = (globalThis as Record<symbol, NodeJS.Require | undefined>)[REQUIRE_MODULE];
  return lent && isAbsolute(file) ? lent : process.getBuiltinModule('node:module').createRequire(file);
}

export function importModule(url: string): Promise<Record<string, unknown>> {
  const lent = (globalThis as Record<symbol, ImportModule | undefined>)[IMPORT_MODULE];
  return lent ? lent(url) : (import(url) as Promise<Record<string, unknown>>);
}

/**
 * Loads an application's entry script as Node would run it: a CommonJS file (`.cjs`, or `.js` whose
 * nearest package.json does not say `"type": "module"`) through `require`, anything else through
 * `import()`. The namespace is what `import()` would give: `default` is `module.exports`, with its own
 * properties beside it. `require` skips the ES module loader, which a demand-started worker would
 * otherwise set up for this one file (its resolver, the CommonJS translator and cjs-module-lexer, a
 * WebAssembly module compiled at first use): ≈6 % of w3wp's start-up CPU (docs/process-model.md).
 */
export async function loadEntryScript(file: string): Promise<Record<string, unknown>> {
  if (!isCommonJs(file)) return importModule(pathToFileURL(file).href);
  const exports: unknown = requireFor(file)(file);
  const named = (typeof exports === 'object' || typeof exports === 'function') && exports !== null ? { ...(exports as Record<string, unknown>) } : {};
  return { ...named, default: exports };
}

/** Node's rule for a file's module format (without --experimental-detect-module, as in Node 20). */
export function isCommonJs(file: string): boolean {
  const extension = extname(file);
  if (extension === '.cjs') return true;
  if (extension !== '.js') return false;
  for (let folder = dirname(file); ; folder = dirname(folder)) {
    const manifest = join(folder, 'package.json');
    if (existsSync(manifest)) {
      try {
        return (JSON.parse(readFileSync(manifest, 'utf8')) as { type?: unknown }).type !== 'module';
      } catch {
        // Node refuses an unreadable package.json; import() reports it as Node would.
        return false;
      }
    }
    if (dirname(folder) === folder) return true;
  }
}
