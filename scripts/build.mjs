// Bundles every executable (src/main.ts of each package with a bin) into dist/<bin>.js with esbuild.
// Workers are spawned on demand, so they start from one plain JavaScript file, never through tsx.
import { build } from 'esbuild';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
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
const externalThirdParty = (packageDirectory) => ({
  name: 'external-third-party',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('@poolhost/') || args.path.startsWith('node:')) return undefined;
      if (existsSync(join(packageDirectory, 'node_modules', packageName(args.path)))) return { path: args.path, external: true };
      return undefined;
    });
  },
});

const started = Date.now();
const jobs = [];
for (const name of readdirSync(packagesDir)) {
  const manifestPath = join(packagesDir, name, 'package.json');
  if (!existsSync(manifestPath)) continue;
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const entry = join(packagesDir, name, 'src', 'main.ts');
  if (!manifest.bin || !existsSync(entry)) continue;
  for (const bin of Object.keys(manifest.bin)) {
    jobs.push(build({
      entryPoints: [entry],
      outfile: join(packagesDir, name, 'dist', `${bin}.js`),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      sourcemap: 'linked',
      logLevel: 'warning',
      // w3wp is spawned on every demand start and crash: its third-party packages are inlined too, which
      // saves ~60 ms of module resolution per start (measured: pino + send + fast-xml-parser load in
      // ~75 ms from node_modules, ~15 ms from one file). See docs/performance.md (cold start).
      plugins: bin === 'w3wp' ? [] : [externalThirdParty(join(packagesDir, name))],
      banner: { js: "import { createRequire as __poolhostCreateRequire } from 'node:module'; const require = __poolhostCreateRequire(import.meta.url);" },
    }));
  }
}
await Promise.all(jobs);
if (!process.env.POOLHOST_BUILD_QUIET) console.log(`built ${jobs.length} executables in ${Date.now() - started} ms`);
