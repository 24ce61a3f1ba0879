// The iisnode handler: hands the request to the application's Node code (an exported listener, or the
// http.Server it listen()ed on) as Node's own req/res, with x-forwarded-* added and, per
// `<iisnode promoteServerVars="AUTH_USER,…">`, `x-iisnode-<name>` request headers. The stage lasts
// until the response is over (finished or the client gone), so LogRequest sees the final status.
// A throw from the listener crashes the worker, as it would crash a plain Node server. An application
// whose entry script failed to load answers 500.1001 (iisnode's "could not start the application")
// with the load error and reports itself unhealthy, so was replaces the worker after its wait.
// Which Node code: a handler whose path names one file (`hello.js`) runs the file the request maps
// to — the application's entry script, or the script of the sub-folder whose web.config maps it,
// loaded on its first request as iisnode does; a wildcard handler (`*`, the implicit one) runs the
// application's entry script.
import { statSync } from 'node:fs';
import type { RawElement } from '@poolhost/config';
import type { NodeApplication } from '../hosting/node-application.js';
import type { InProcessNodeHost, NodeHost } from '../hosting/node-host.js';
import type { HttpContext } from '../pipeline/http-context.js';
import type { RequestHandler } from '../pipeline/handler-mapping.js';
import { addForwardedHeaders } from '../pipeline/forwarded-headers.js';
import { serverVariable } from '../pipeline/server-variables.js';

function rethrow(error: unknown): never {
  throw error;
}

/** For the applications of a shared pipeline: each request goes to its own application's Node code. */
export function iisnodeHandler(iisnodeSection: RawElement | undefined, replaceErrors = false): RequestHandler {
  const promote = (iisnodeSection?.attributes.promoteServerVars ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const addXff = (iisnodeSection?.attributes.enableXFF ?? 'true').toLowerCase() !== 'false';
  const run = (context: HttpContext, node: InProcessNodeHost): void => {
    const { req, res, application } = context;
    const loadFailure = node.loadFailure;
    if (loadFailure) return applicationFailedToLoad(context, loadFailure);
    if (addXff) addForwardedHeaders(req, application.isHttps(req.socket.localPort ?? 0));
    if (promote.length) for (const name of promote) req.headers[`x-iisnode-${name.toLowerCase()}`] = serverVariable(context, name);
    // httpErrors existingResponse: Replace swaps the application's error responses for IIS's pages;
    // Auto (iisnode sets fTrySkipCustomErrors) and PassThrough leave them as the application wrote them.
    if (replaceErrors) context.replaceApplicationErrors();
    context.pipeline.resumeAfterResponse(context);
    try {
      node.handle(req, res);
    } catch (error) {
      process.nextTick(rethrow, error);
    }
  };
  const execute = (context: HttpContext): void | Promise<void> => {
    const node = nodeFor(context);
    if (node === null) return missing(context);
    // iisnode's hosting: the node processes, with the <iisnode> settings of the application.
    if (!(node instanceof Promise)) return node.kind === 'iisnode-process' ? node.execute(context) : run(context, node);
    return node.then(
      (loaded) => {
        if (!context.res.destroyed) run(context, loaded);
      },
      (error: unknown) => context.sendError(500, 1000, error),
    );
  };
  return { module: 'iisnode', dynamic: true, execute };
}

/** The handler names a script that is not there (file names are case-sensitive here): 404, as for any missing file. */
function missing(context: HttpContext): void {
  context.sendError(404, 0, new Error(`iisnode cannot find the script "${context.handler?.entry.path ?? ''}" for ${context.path}`));
}

// The seam for <iisnode devErrorsEnabled>: context.error carries the load error (its cause is what the
// entry script threw); the error responder renders IIS's 500 page, or iisnode's developer page.
function applicationFailedToLoad(context: HttpContext, loadFailure: Error): void {
  context.application.setup.services.reportUnhealthy(loadFailure.message);
  context.sendError(500, 1001, loadFailure);
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function nodeFor(context: HttpContext): NodeHost | Promise<NodeApplication> | null {
  const application = context.application;
  const own = application.node;
  const path = context.handler?.entry.path ?? '*';
  if (/[*?]/.test(path)) return own;
  const script = context.physicalPath;
  if (script === null || (own !== null && script === own.entryScript)) return own;
  const hosts = application.setup.services.entryScripts;
  const known = hosts.find(script);
  if (known !== undefined) return known;
  if (!isFile(script)) return own;
  return hosts.nodeFor(script, application.siteId, application.siteName, application.path);
}

