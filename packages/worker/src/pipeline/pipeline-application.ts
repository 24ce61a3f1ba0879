// An application as the data plane sees it: every request becomes an HttpContext and walks the
// application's compiled RequestPipeline. Upgrade requests (WebSocket) walk it up to AuthorizeRequest,
// then go to the Node application's `upgrade` listeners, with the forwarded headers added.
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Duplex } from 'node:stream';
import type { HostedApplication } from '../hosting/hosted-application.js';
import type { NodeHost } from '../hosting/node-host.js';
import type { ApplicationSetup, VirtualDirectoryMapping } from './application-setup.js';
import { HttpContext } from './http-context.js';
import type { RequestPipeline } from './request-pipeline.js';
import type { FolderPipelines } from './folder-pipelines.js';
import { addForwardedHeaders } from './forwarded-headers.js';

export class PipelineApplication implements HostedApplication {
  readonly kind = 'pipeline' as const;
  readonly siteId: number;
  readonly siteName: string;
  readonly path: string;
  readonly logger: Logger;
  /** Compiled once per (configuration, site, folder, entry script): shared by applications that have the same ones. */
  pipeline!: RequestPipeline;
  /** The pipelines of the application's folders (their own configuration level); null when the root's configuration is faulted. */
  folders: FolderPipelines | null = null;
  /** Set for every request when the application's configuration cannot be used (500.19). */
  private readonly faulted: boolean;
  private readonly virtualDirectories: VirtualDirectoryMapping[];
  private readonly prefix: string;
  /** `on` when the site has an https binding on a port (HTTPS server variable, x-forwarded-proto). */
  private readonly httpsPorts: ReadonlySet<number>;

  constructor(
    readonly setup: ApplicationSetup,
    readonly node: NodeHost | null,
  ) {
    this.siteId = setup.site.id;
    this.siteName = setup.site.name;
    this.path = setup.path;
    this.logger = setup.logger;
    this.faulted = setup.fault !== null;
    this.virtualDirectories = [...setup.virtualDirectories].sort((a, b) => b.path.length - a.path.length);
    this.prefix = setup.path === '/' ? '' : setup.path.toLowerCase();
    this.httpsPorts = new Set(setup.site.bindings.filter((binding) => binding.protocol === 'https').map((binding) => binding.port));
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    this.run(new HttpContext(req, res, this.pipeline, this));
  }

  /** The context walks the pipeline of its folder (500.19 when the configuration is faulted, 400 for a bad request). */
  private run(context: HttpContext): void {
    if (this.faulted) context.sendError(500, 19, this.setup.fault);
    else if (context.badRequest) context.sendError(400, 0);
    else if (this.folders !== null) {
      const pipeline = this.folders.pipelineFor(context.path);
      if (pipeline instanceof Promise) {
        // The first request for a folder with a configuration of its own waits for its pipeline.
        pipeline.then(
          (compiled) => {
            context.pipeline = compiled;
            compiled.run(context);
          },
          (error: unknown) => {
            context.sendError(500, 0, error);
            context.pipeline.run(context);
          },
        );
        return;
      }
      context.pipeline = pipeline;
    }
    context.pipeline.run(context);
  }

  acceptsUpgrade(): boolean {
    return this.node !== null && !this.faulted && this.node.acceptsUpgrade();
  }

  /**
   * An upgrade (WebSocket) request walks the pipeline like any request up to AuthorizeRequest — request
   * filtering, ipSecurity, authentication and authorization — and only then goes to the application's
   * `upgrade` listeners. A module that ends it there (404.x, 403.x, 401) answers on `res`: the client
   * gets that response, never a 101, and the connection closes.
   */
  upgrade(req: IncomingMessage, res: ServerResponse, socket: Duplex, head: Buffer): void {
    const context = new HttpContext(req, res, this.pipeline, this);
    context.upgrade = () => {
      // iisnode's hosting adds them itself, per enableXFF.
      if (this.node!.kind === 'iisnode') addForwardedHeaders(req, this.isHttps(req.socket.localPort ?? 0));
      this.node!.upgrade(req, socket, head);
    };
    this.run(context);
  }

  isHttps(localPort: number): boolean {
    return this.httpsPorts.size > 0 && this.httpsPorts.has(localPort);
  }

  /** URL path (decoded, canonical) → physical path through the application's virtual directories; null outside them. */
  mapPath(urlPath: string): string | null {
    let relative = urlPath;
    if (this.prefix !== '') {
      const lower = urlPath.toLowerCase();
      if (lower === this.prefix) relative = '/';
      else if (lower.startsWith(this.prefix) && lower.charCodeAt(this.prefix.length) === 47) relative = urlPath.slice(this.prefix.length);
      else return null;
    }
    for (const directory of this.virtualDirectories) {
      if (directory.path === '/') return join(directory.physicalPath, relative);
      const lower = relative.toLowerCase();
      const prefix = directory.path.toLowerCase();
      if (lower === prefix || (lower.startsWith(prefix) && lower.charCodeAt(prefix.length) === 47)) {
        return join(directory.physicalPath, relative.slice(prefix.length) || '/');
      }
    }
    return null;
  }

  /** The physical root of the virtual directory a URL path falls in (the boundary the static handler keeps to). */
  rootFor(urlPath: string): string | null {
    const relative = this.prefix === '' ? urlPath : urlPath.slice(this.prefix.length) || '/';
    for (const directory of this.virtualDirectories) {
      if (directory.path === '/') return directory.physicalPath;
      const lower = relative.toLowerCase();
      const prefix = directory.path.toLowerCase();
      if (lower === prefix || (lower.startsWith(prefix) && lower.charCodeAt(prefix.length) === 47)) return directory.physicalPath;
    }
    return null;
  }
}
