// An application's own module: `<modules><add name="Timing" type="./timing-module.js" /></modules>` in
// web.config loads that JavaScript file (relative to the application folder) once per worker. It
// exports (as named exports, `module.exports`, or a default export) a function per stage it wants:
//   exports.BeginRequest = (context) => { … }          // may return a promise
//   exports.EndRequest = async (context) => { … }
// `context` is the HttpContext: context.req / context.res (Node's), context.path, context.user,
// context.sendError(status, subStatus), context.completeRequest(), context.items, context.module …
// (docs/request-pipeline.md). A `type` that is not a .js/.mjs/.cjs path (a .NET type name) is not an
// application module.
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { HttpModule, StageHandler } from '../pipeline/http-module.js';
import { REQUEST_STAGES, type RequestStage } from '../pipeline/request-stage.js';
import { importModule } from '../hosting/import-module.js';

export function isApplicationModuleType(type: string): boolean {
  return /\.(?:c|m)?js$/i.test(type.trim());
}

export async function loadApplicationModule(name: string, type: string, physicalPath: string): Promise<HttpModule> {
  const file = isAbsolute(type) ? type : resolve(physicalPath, type.replace(/\\/g, '/'));
  const namespace = await importModule(pathToFileURL(file).href);
  const exported = (typeof namespace.default === 'object' && namespace.default !== null ? namespace.default : namespace) as Record<string, unknown>;
  const stages: Partial<Record<RequestStage, StageHandler>> = {};
  for (const stage of REQUEST_STAGES) {
    const candidate = exported[stage] ?? namespace[stage];
    if (typeof candidate === 'function') stages[stage] = candidate as StageHandler;
  }
  if (Object.keys(stages).length === 0) {
    throw new Error(`module "${name}" (${file}) exports no stage handler; export one of ${REQUEST_STAGES.join(', ')}`);
  }
  return { name, stages };
}
