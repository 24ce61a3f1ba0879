// A service tells its loader (./service-loader.ts) when it has done its first real work — for the
// services on the demand-start path, their part of the first demand start — so that the V8 code
// cache saved a moment later holds the bytecode of that path, not only of the service's start
// (docs/performance.md, "The services' code cache"). The loader and the bundle are two scripts, each
// with its own copy of this module: they meet on a global symbol. Without the loader (tests, tsx)
// nothing listens.

export const FIRST_WORK = Symbol.for('poolhost.codeCache.firstWork');

let noted = false;

/** Called where the work happens; only the first call reaches the loader (a flag test after that). */
export function firstWorkDone(): void {
  if (noted) return;
  noted = true;
  (globalThis as Record<symbol, (() => void) | undefined>)[FIRST_WORK]?.();
}
