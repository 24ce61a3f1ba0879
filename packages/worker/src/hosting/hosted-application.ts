// What the data plane hands requests to. Today: a Node application (iisnode's role) or the static file
// handler. The IIS integrated pipeline (modules per stage, handler mapping) will wrap these later.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

export type HostedApplicationKind = 'iisnode' | 'StaticFileModule';

export interface HostedApplication {
  readonly siteId: number;
  readonly siteName: string;
  /** `/` or `/a/b`, as configured. */
  readonly path: string;
  /** The module IIS would show in `appcmd list requests`. */
  readonly kind: HostedApplicationKind;
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** True when the application listens for `upgrade` (e.g. a WebSocket server). */
  acceptsUpgrade(): boolean;
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
}
