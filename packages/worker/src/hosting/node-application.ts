// A Node application hosted in the worker: its entry script either exports a request listener (a
// function, an Express/Koa/Fastify app, `{ handler }`, an http.Server) or calls `listen()` — captured.
import { Server as HttpServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Server as NetServer } from 'node:net';
import type { InProcessNodeHost } from './node-host.js';
import { loadEntryScript } from './import-module.js';
import { setCaptureTarget } from './listen-capture.js';

type RequestTarget = { kind: 'listener'; listener: RequestListener } | { kind: 'server'; server: HttpServer };

export class NodeApplication implements InProcessNodeHost {
  readonly kind = 'iisnode' as const;
  private target: RequestTarget | null = null;
  /** The entry script threw (or exported nothing) while loading: the application answers 500.1001 with it. */
  loadFailure: Error | null = null;
  /** The plain net.Server the application listened with, when it is reachable over net.tcp: it gets the relayed connections. */
  tcpServer: NetServer | null = null;

  /** `netTcp`: the application is reachable over net.tcp, so its net.Server's listen() is captured too. */
  constructor(readonly siteId: number, readonly siteName: string, readonly path: string, readonly entryScript: string, readonly netTcp = false) {}

  handle(req: IncomingMessage, res: ServerResponse): void {
    const target = this.target;
    if (!target) {
      // A net.tcp-only application (no HTTP server of its own) reached over http.
      res.statusCode = 404;
      res.end();
      return;
    }
    if (target.kind === 'server') target.server.emit('request', req, res);
    else void target.listener(req, res);
  }

  acceptsUpgrade(): boolean {
    return this.target?.kind === 'server' && this.target.server.listenerCount('upgrade') > 0;
  }

  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.target?.kind === 'server') this.target.server.emit('upgrade', req, socket, head);
  }

  /** Another application of this worker runs the same entry script: a module runs once per process, so share it. */
  shareWith(loaded: NodeApplication): void {
    this.target = loaded.target;
    this.loadFailure = loaded.loadFailure;
    this.tcpServer ??= loaded.tcpServer;
  }

  /**
   * Imports the entry script. A server that calls `listen()` while loading (or up to `listenWaitMs`
   * after, for apps that listen once their setup is done) is captured; otherwise the export is used.
   */
  async load(listenWaitMs: number): Promise<void> {
    let captured: HttpServer | null = null;
    let onCapture: (() => void) | null = null;
    const keepTcpServer = (server: NetServer): boolean => {
      if (server instanceof HttpServer || !this.netTcp) return false;
      this.tcpServer ??= server;
      return true;
    };
    setCaptureTarget((server) => {
      if (keepTcpServer(server)) return onCapture?.();
      const httpServer = server as HttpServer;
      // The first server wins; a later one replaces it only if the first has no request handler.
      if (!captured || captured.listenerCount('request') === 0) captured = httpServer;
      onCapture?.();
    }, this.netTcp);
    const namespace = await loadEntryScript(this.entryScript);
    let target = captured ? serverTarget(captured) : await exportedTarget(namespace);
    if (!target && !this.tcpServer) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, listenWaitMs);
        onCapture = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      onCapture = null;
      if (captured) target = serverTarget(captured);
    }
    if (!target && this.tcpServer) {
      // A net.tcp application with no HTTP face: its net.Server is all it serves.
      this.keepCapturing();
      return;
    }
    if (!target) {
      throw new Error(
        `${this.entryScript} neither exports a request listener (module.exports = (req, res) => …, an Express/Koa/Fastify app, { handler }) nor calls listen()`,
      );
    }
    this.target = target;
    this.keepCapturing();
  }

  // Late listen() calls (after a restart of the app's server, say) keep coming here.
  private keepCapturing(): void {
    setCaptureTarget((server) => {
      if (server instanceof HttpServer) this.target = serverTarget(server);
      else if (this.netTcp) this.tcpServer = server;
    }, this.netTcp);
  }
}

function serverTarget(server: HttpServer): RequestTarget {
  return { kind: 'server', server };
}

async function exportedTarget(namespace: Record<string, unknown>): Promise<RequestTarget | null> {
  const candidates = [namespace.default, namespace.handler, namespace.app, namespace.server, namespace];
  for (const candidate of candidates) {
    const target = await asTarget(candidate, 0);
    if (target) return target;
  }
  return null;
}

async function asTarget(value: unknown, depth: number): Promise<RequestTarget | null> {
  if (!value || depth > 2) return null;
  if (value instanceof HttpServer) return serverTarget(value);
  if (typeof value === 'function') return { kind: 'listener', listener: value as RequestListener };
  if (typeof value !== 'object') return null;
  const object = value as Record<string, unknown>;
  // Fastify: an instance with its own http.Server, ready() before use.
  if (object.server instanceof HttpServer) {
    if (typeof object.ready === 'function') await (object.ready as () => Promise<unknown>).call(object);
    return serverTarget(object.server);
  }
  // Koa: app.callback() is the request listener.
  if (typeof object.callback === 'function' && typeof object.use === 'function') {
    return { kind: 'listener', listener: (object.callback as () => RequestListener).call(object) };
  }
  if (typeof object.handler === 'function') return { kind: 'listener', listener: object.handler as RequestListener };
  if ('default' in object) return asTarget(object.default, depth + 1);
  return null;
}
