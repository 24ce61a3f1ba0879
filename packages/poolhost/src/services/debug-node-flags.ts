// Node flags for one service, for profiling only: `POOLHOST_DEBUG_NODE_FLAGS_HTTPSYS="--cpu-prof
// --cpu-prof-dir=/tmp/prof"` starts httpsys as `node --cpu-prof --cpu-prof-dir=/tmp/prof httpsys.js …`.
// Node refuses --cpu-prof and --heap-prof in NODE_OPTIONS, and NODE_OPTIONS would reach every process,
// workers included; this reaches the one service named. See docs/performance.md, "Profiling a service".
import type { ServiceName } from './service-launcher.js';

/** The flags of `POOLHOST_DEBUG_NODE_FLAGS_<SERVICE>`, split on spaces; none when it is unset or empty. */
export function debugNodeFlags(name: ServiceName, env: NodeJS.ProcessEnv): string[] {
  const flags = env[`POOLHOST_DEBUG_NODE_FLAGS_${name.toUpperCase()}`];
  return flags ? flags.split(' ').filter((flag) => flag !== '') : [];
}
