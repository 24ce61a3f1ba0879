// StaticCompressionModule and DynamicCompressionModule, PreExecuteRequestHandler: `urlCompression`
// doStaticCompression / doDynamicCompression decide per handler kind (StaticFile is static, iisnode is
// dynamic); the `compression` library negotiates Accept-Encoding (br, gzip, deflate), streams the
// body through zlib, sets Content-Encoding and Vary, and leaves alone what is already encoded, HEAD
// requests, incompressible types (its `compressible` table stands in for IIS's staticTypes /
// dynamicTypes) and bodies under the threshold: httpCompression@minFileSizeForComp (IIS's 2700 bytes)
// for static files, 1 KiB for dynamic responses. Requests without Accept-Encoding cost one check.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RawElement } from '@poolhost/config';
import type { HttpContext } from '../pipeline/http-context.js';
import type { HttpModule } from '../pipeline/http-module.js';

const noop = (): void => undefined;
// Loaded on the first request that asks for an encoding: it costs ~30 ms of worker start-up otherwise. The
// require that loads it is made then too: node:module is not loaded by a worker's start (docs/performance.md,
// "Demand start without a spare: the wall-clock path").
let required: NodeJS.Require | null = null;
const load = (id: string): unknown => (required ??= process.getBuiltinModule('node:module').createRequire(import.meta.url))(id);
type Middleware = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

export function compressionModule(kind: 'static' | 'dynamic', urlCompression: RawElement | undefined, httpCompression: RawElement | undefined): HttpModule | null {
  const attribute = kind === 'static' ? 'doStaticCompression' : 'doDynamicCompression';
  if ((urlCompression?.attributes[attribute] ?? 'true').toLowerCase() === 'false') return null;
  const threshold = kind === 'static' ? Number(httpCompression?.attributes.minFileSizeForComp ?? 2700) : 1024;
  let middleware: Middleware | null = null;
  const dynamic = kind === 'dynamic';
  const preExecute = (context: HttpContext): void => {
    const handler = context.handler?.handler;
    if (!handler || handler.dynamic !== dynamic) return;
    if (context.req.headers['accept-encoding'] === undefined) return;
    middleware ??= (load('compression') as typeof import('compression'))({ threshold }) as unknown as Middleware;
    middleware(context.req, context.res, noop);
  };
  return { name: kind === 'static' ? 'StaticCompressionModule' : 'DynamicCompressionModule', stages: { PreExecuteRequestHandler: preExecute } };
}
