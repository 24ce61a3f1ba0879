// import() of application code (entry scripts, application modules). w3wp runs from a vm.Script
// compiled with V8's code cache (src/startup/w3wp-loader.ts), and a script compiled that way has no
// module loader behind its import() in Node 20 (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING once the
// cache is used), so the loader, itself an ES module, lends its own import(). Without the loader
// (tests under tsx) import() works as is.
export const IMPORT_MODULE = Symbol.for('poolhost.w3wp.importModule');

export type ImportModule = (url: string) => Promise<Record<string, unknown>>;

export function importModule(url: string): Promise<Record<string, unknown>> {
  const lent = (globalThis as Record<symbol, ImportModule | undefined>)[IMPORT_MODULE];
  return lent ? lent(url) : (import(url) as Promise<Record<string, unknown>>);
}
