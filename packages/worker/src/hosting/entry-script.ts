// Which script starts an application (iisnode's rules, then Node's): the `path` of the iisnode handler
// in the application's web.config, else package.json `main`, else server.js, app.js, index.js.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const CONVENTIONAL_ENTRY_SCRIPTS = ['server.js', 'app.js', 'index.js'];

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** `iisnodeHandlerPath`: the handler path from the effective web.config (no wildcard), if any. */
export function findEntryScript(folder: string, iisnodeHandlerPath: string | null): string | null {
  if (iisnodeHandlerPath && !iisnodeHandlerPath.includes('*')) {
    const candidate = resolve(folder, iisnodeHandlerPath.replace(/\\/g, '/').replace(/^\/+/, ''));
    if (isFile(candidate)) return candidate;
  }
  const manifest = join(folder, 'package.json');
  if (existsSync(manifest)) {
    try {
      const main = (JSON.parse(readFileSync(manifest, 'utf8')) as { main?: unknown }).main;
      if (typeof main === 'string' && main) {
        for (const candidate of [resolve(folder, main), resolve(folder, `${main}.js`), resolve(folder, main, 'index.js')]) {
          if (isFile(candidate)) return candidate;
        }
      }
    } catch {
      // A broken package.json is the application's problem when it loads; fall back to the conventions.
    }
  }
  for (const name of CONVENTIONAL_ENTRY_SCRIPTS) {
    const candidate = join(folder, name);
    if (isFile(candidate)) return candidate;
  }
  return null;
}
