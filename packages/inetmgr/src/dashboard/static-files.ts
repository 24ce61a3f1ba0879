// The dashboard's files, read once at start: the page and its script from packages/inetmgr/static,
// uPlot from its npm package. Nothing is fetched from anywhere else (no CDN).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export interface StaticFile {
  contentType: string;
  body: Buffer;
}

/** Both src/dashboard/ (tests, tsx) and dist/ (the bundle) sit so that ../static is packages/inetmgr/static. */
function staticDirectory(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  return here.includes('/src/') ? join(here, '..', '..', 'static') : join(here, '..', 'static');
}

export function loadStaticFiles(): Map<string, StaticFile> {
  const directory = staticDirectory();
  const require = createRequire(join(directory, '..', 'package.json'));
  const file = (path: string, contentType: string): StaticFile => ({ contentType, body: readFileSync(path) });
  return new Map([
    ['/', file(join(directory, 'index.html'), 'text/html; charset=utf-8')],
    ['/assets/dashboard.js', file(join(directory, 'dashboard.js'), 'text/javascript; charset=utf-8')],
    ['/assets/dashboard.css', file(join(directory, 'dashboard.css'), 'text/css; charset=utf-8')],
    ['/assets/uPlot.iife.min.js', file(require.resolve('uplot/dist/uPlot.iife.min.js'), 'text/javascript; charset=utf-8')],
    ['/assets/uPlot.min.css', file(require.resolve('uplot/dist/uPlot.min.css'), 'text/css; charset=utf-8')],
  ]);
}
