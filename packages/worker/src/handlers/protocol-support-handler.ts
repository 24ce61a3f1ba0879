// ProtocolSupportModule as a handler (TRACEVerbHandler, OPTIONSVerbHandler): OPTIONS answers with the
// verbs the server supports; TRACE is refused with 405 (IIS 10 ships TRACE disabled in practice).
import type { HttpContext } from '../pipeline/http-context.js';
import type { RequestHandler } from '../pipeline/handler-mapping.js';

export const protocolSupportHandler: RequestHandler = {
  module: 'ProtocolSupportModule',
  dynamic: false,
  execute(context: HttpContext): void {
    const res = context.res;
    if (context.req.method === 'OPTIONS') {
      res.statusCode = 200;
      res.setHeader('Allow', 'OPTIONS, TRACE, GET, HEAD, POST');
      res.setHeader('Public', 'OPTIONS, TRACE, GET, HEAD, POST');
      res.setHeader('Content-Length', '0');
      res.end();
      return;
    }
    res.setHeader('Allow', 'OPTIONS, GET, HEAD, POST');
    context.sendError(405, 0);
  },
};
