#!/usr/bin/env node
// Runs the bundled executable (built by scripts/build.mjs); tsx is for development only.
import { existsSync } from 'node:fs';
const bundle = new URL('../dist/nettcpactivator.js', import.meta.url);
if (!existsSync(bundle)) {
  process.stderr.write('nettcpactivator: not built yet (missing ' + bundle.pathname + '); run "pnpm build".\n');
  process.exit(1);
}
await import(bundle.href);
