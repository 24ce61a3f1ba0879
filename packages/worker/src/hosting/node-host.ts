// What the iisnode handler hands a request to: the application's Node code, either loaded into this
// worker (NodeApplication, poolhost's own hosting) or run in Node processes the worker starts
// (IisnodeApplication, iisnode's hosting; docs/hosting.md says which application gets which).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { HttpContext } from '../pipeline/http-context.js';

export interface InProcessNodeHost {
  readonly kind: 'iisnode';
  readonly entryScript: string;
  /** The entry script threw (or exported nothing) while loading: requests get 500.1001 with it. */
  readonly loadFailure: Error | null;
  handle(req: IncomingMessage, res: ServerResponse): void;
  acceptsUpgrade(): boolean;
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
}

export interface ProcessNodeHost {
  readonly kind: 'iisnode-process';
  readonly entryScript: string;
  /** The handler's whole work: headers iisnode adds, the process, the response or iisnode's error. */
  execute(context: HttpContext): void;
  acceptsUpgrade(): boolean;
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
}

export type NodeHost = InProcessNodeHost | ProcessNodeHost;
