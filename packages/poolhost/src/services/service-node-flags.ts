// Node flags for the control-plane services, which hold memory at rest and no request path: w3svc (the
// listener adapter's relay) and was (pools, workers, configuration). httpsys and the workers get none:
// they serve requests, and a smaller young generation or no JIT would cost them throughput; nor does
// inetmgr, which renders /metrics on every scrape (the metrics scenario's target). Measured at rest
// (docs/performance.md, "Idle memory"):
// - `--max-semi-space-size=1`: the young generation stays at 1 MB per semi-space. V8 grows it (up to 16 MB)
//   while start-up allocates much that survives (was's configuration model) and never gives it back.
// - `--lite-mode`: V8 without its optimizing compilers (implies --jitless) and with feedback vectors
//   allocated lazily: less heap, and the compilers' pages of the `node` binary are never touched (≈5 MB
//   of file-backed RSS per process). These services run their code a few times per event; the
//   interpreter is what ran it before too.
// - `--no-expose-wasm`: lite mode has no WebAssembly; saying so keeps V8's "disabling flag
//   --expose_wasm" warning out of the service's stderr.
import type { ServiceName } from './service-launcher.js';

export const CONTROL_PLANE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=1', '--lite-mode', '--no-expose-wasm'];

/** The Node flags a service is started with (before any debug flags, which may override them). */
export function serviceNodeFlags(name: ServiceName): string[] {
  return name === 'w3svc' || name === 'was' ? [...CONTROL_PLANE_NODE_FLAGS] : [];
}
