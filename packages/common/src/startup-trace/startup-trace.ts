// Wall-clock marks along a demand start, across processes (docs/performance.md, "Demand start without a
// spare: the wall-clock path"). With POOLHOST_STARTUP_TRACE=<file> in a service's environment, each mark
// appends `<epoch ms> <pid> <label>` to that file (was passes the variable on to its workers);
// scripts/bench/demand-start-wall.ts reads them back. Without it a mark is one comparison. The marks sit
// on the path a demand start takes once (activation, spawn, a worker's start and ATTACH), never on a
// request's.
import { appendFileSync } from 'node:fs';

const traceFile = process.env.POOLHOST_STARTUP_TRACE || undefined;

/**
 * Appends one mark: now, or `at` (a `performance.now()` reading, e.g. 0 for this process's time origin).
 * `performance` is read only when tracing: the global is lazy, and its first use loads Node's perf_hooks
 * internals (≈0.5 ms of a worker's start).
 */
export function startupMark(label: string, at?: number): void {
  if (traceFile === undefined) return;
  appendFileSync(traceFile, `${(performance.timeOrigin + (at ?? performance.now())).toFixed(3)} ${process.pid} ${label}\n`);
}
