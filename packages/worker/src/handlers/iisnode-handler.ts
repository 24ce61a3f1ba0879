// The iisnode handler: hands the request to the application's Node code (an exported listener, or the
// http.Server it listen()ed on) as Node's own req/res, with x-forwarded-* added and, per
// `<iisnode promoteServerVars="AUTH_USER,…">`, `x-iisnode-<name>` request headers. The stage lasts
// until the response is over (finished or the client gone), so LogRequest sees the final status.
// A throw from the listener crashes the worker, as it would crash a plain Node server.
import type { RawElement } from '@poolhost/config';
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
  const execute = (context: HttpContext): void => {
    const { req, res, application } = context;
    if (addXff) addForwardedHeaders(req, application.isHttps(req.socket.localPort ?? 0));
    if (promote.length) for (const name of promote) req.headers[`x-iisnode-${name.toLowerCase()}`] = serverVariable(context, name);
    // httpErrors existingResponse: Replace swaps the application's error responses for IIS's pages;
    // Auto (iisnode sets fTrySkipCustomErrors) and PassThrough leave them as the application wrote them.
    if (replaceErrors) context.replaceApplicationErrors();
    context.pipeline.resumeAfterResponse(context);
    try {
      application.node!.handle(req, res);
    } catch (error) {
      process.nextTick(rethrow, error);
    }
  };
  return { module: 'iisnode', dynamic: true, execute };
}

/** The iisnode handler of an application whose entry script could not be found. */
export function missingEntryScriptHandler(path: string): RequestHandler {
  return {
    module: 'iisnode',
    dynamic: true,
    execute(context) {
      context.sendError(500, 1000, new Error(`iisnode cannot find the entry script "${path}" in the application folder`));
    },
  };
}
