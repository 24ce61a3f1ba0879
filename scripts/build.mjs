// Bundles every executable (src/main.ts of each package with a bin) into dist/<bin>.js with esbuild.
// Workers are spawned on demand, so they start from one plain JavaScript file, never through tsx.
import { build } from 'esbuild';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const packagesDir = join(root, 'packages');

// Keep third-party packages external: they load from node_modules as usual; workspace code is inlined.
const externalThirdParty = {
  name: 'external-third-party',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('@poolhost/')) return undefined;
      return { path: args.path, external: true };
    });
  },
};

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
      plugins: [externalThirdParty],
      banner: { js: "import { createRequire as __poolhostCreateRequire } from 'node:module'; const require = __poolhostCreateRequire(import.meta.url);" },
    }));
  }
}
await Promise.all(jobs);
if (!process.env.POOLHOST_BUILD_QUIET) console.log(`built ${jobs.length} executables in ${Date.now() - started} ms`);
