// dist/poolhost.js: sets V8 flags for poolhost's own process, then imports the bundle
// (dist/poolhost.main.js, built from src/main.ts). poolhost is started by the administrator, so no flag
// can be put on its command line, and the bundle's third-party imports (yargs, pino, execa,
// fast-xml-parser) are evaluated before any line of it runs: the flags must be set here, first.
// The process supervises the services and runs one-shot commands; it serves no request, so it trades
// speed for memory as the control-plane services do (services/service-node-flags.ts). Measured at rest,
// docs/performance.md ("Idle memory"):
// - `--semi-space-growth-factor=1`: V8 reads it each time it would grow the young generation, which so
//   stays at its initial 1 MB per semi-space. Without it, loading the modules and reading
//   applicationHost.config grew it to 8 MB per semi-space (16.8 MB committed, 0.2 MB used at rest),
//   and V8 never gives it back.
// - `--no-opt --no-sparkplug`: no code is compiled beyond the interpreter's bytecode, so the compilers'
//   pages of the `node` binary are never touched (the lite mode of the services, which cannot be
//   switched on once V8 runs: it implies --jitless).
import { setFlagsFromString } from 'node:v8';

const POOLHOST_PROCESS_V8_FLAGS: readonly string[] = ['--semi-space-growth-factor=1', '--no-opt', '--no-sparkplug'];

for (const flag of POOLHOST_PROCESS_V8_FLAGS) setFlagsFromString(flag);
await import(new URL('./poolhost.main.js', import.meta.url).href);
