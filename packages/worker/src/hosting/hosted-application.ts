// What the data plane hands requests to: an application of the pool, with its integrated pipeline
// (src/pipeline/pipeline-application.ts) in front of its Node code or static files.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

export interface HostedApplication {
  readonly siteId: number;
  readonly siteName: string;
  /** `/` or `/a/b`, as configured. */
  readonly path: string;
  readonly kind: string;
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** True when the application listens for `upgrade` (e.g. a WebSocket server). */
  acceptsUpgrade(): boolean;
  /** `res` answers the request instead when the upgrade is refused (request filtering, ipSecurity, authentication). */
  upgrade(req: IncomingMessage, res: ServerResponse, socket: Duplex, head: Buffer): void;
}
