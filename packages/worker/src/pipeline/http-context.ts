// One request inside the integrated pipeline: IIS's HttpContext. Node's req/res, where the request is
// (stage, module — for `appcmd list requests`), the URL as the pipeline sees it (decoded, canonical,
// possibly rewritten), the handler chosen, the user, the IIS substatus, and the trace buffer (FREB).
import type { Stats } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PipelineApplication } from './pipeline-application.js';
import type { RequestPipeline } from './request-pipeline.js';
import type { HandlerMapping } from './handler-mapping.js';
import type { TraceBuffer } from '../modules/failed-request-tracing/trace-buffer.js';
import { parseRequestUrl } from './request-url.js';
import { workerStreamOf } from '../data-plane/worker-stream.js';

export const kHttpContext = Symbol.for('poolhost.httpContext');

/** Where a step that waits for the response stands (RequestPipeline.resumeAfterResponse). */
export const Pending = {
  None: 0,
  /** The running step asked to wait; the pipeline has not returned yet. */
  Requested: 1,
  /** The pipeline returned; the response's 'close' resumes it. */
  Waiting: 2,
} as const;

export class HttpContext {
  /** Index into REQUEST_STAGES of the stage running now. */
  stageIndex = 0;
  /** Next step of the current stage. */
  stepIndex = 0;
  /** The module running now (IIS's CurrentModule). */
  module = '';
  readonly startedAt = Date.now();
  /** A module ended the request (or an error did): stages up to the handler are skipped. */
  completed = false;
  subStatus = 0;
  win32Status = 0;
  /** The URL path the pipeline works on (decoded, dot segments resolved; a Rewrite action changes it). */
  path: string;
  /** The URL path as the client sent it (undecoded), for the log's cs-uri-stem. */
  readonly rawPath: string;
  /** The query string without `?` ('' when none). */
  query: string;
  /** The URL was unusable (bad escape, NUL, above the root): 400 before any module runs. */
  readonly badRequest: boolean;
  handler: HandlerMapping | null = null;
  /** What MapRequestHandler found on disk for a handler with a resourceType (undefined: nothing, or not looked). */
  resourceStats: Stats | undefined = undefined;
  /** null until an authentication module identifies the request; '' is the anonymous user. */
  user: string | null = null;
  authenticationType = '';
  /** What failed, for the detailed error page and the trace. */
  error: unknown = undefined;
  /** Failed-request-tracing buffer when a rule covers this request. */
  trace: TraceBuffer | null = null;
  pending: number = Pending.None;
  /** An upgrade request's hand-off to the application, made once AuthorizeRequest passed (null: none). */
  upgrade: (() => void) | null = null;
  /** A module changed the path (URL Rewrite, a default document): MapRequestHandler looks up the new path's folder configuration. */
  rewritten = false;
  private physical: string | null | undefined = undefined;
  private itemMap: Map<string, unknown> | null = null;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    /** The pipeline compiled for the configuration of the request's folder (changes when a rewrite moves it to another folder). */
    public pipeline: RequestPipeline,
    /** The application the request is for (its pipeline may be shared with other applications). */
    readonly application: PipelineApplication,
  ) {
    const url = parseRequestUrl(req.url ?? '/');
    this.rawPath = url.rawPath;
    this.path = url.path;
    this.query = url.query;
    this.badRequest = url.bad;
    (req as unknown as Record<symbol, HttpContext>)[kHttpContext] = this;
  }

  /** Per-request storage for application modules. */
  get items(): Map<string, unknown> {
    return (this.itemMap ??= new Map());
  }

  get statusCode(): number {
    return this.res.statusCode;
  }

  /** The file or folder the (rewritten) URL maps to, or null outside every virtual directory. */
  get physicalPath(): string | null {
    if (this.physical === undefined) this.physical = this.application.mapPath(this.path);
    return this.physical;
  }

  /** Changes the URL the rest of the pipeline works on (URL Rewrite's Rewrite action); req.url stays the client's. */
  rewritePath(path: string, query?: string): void {
    this.path = path;
    if (query !== undefined) this.query = query;
    this.physical = undefined;
    this.rewritten = true;
  }

  /** Ends the request here: the stages up to the handler are skipped, LogRequest and EndRequest still run. */
  completeRequest(): void {
    this.completed = true;
  }

  /**
   * httpErrors existingResponse="Replace": an error response (status >= 400) the handler's application
   * writes itself is replaced by the error page the pipeline would send for that status (substatus 0).
   */
  replaceApplicationErrors(): void {
    const stream = workerStreamOf(this.req);
    if (stream) stream.errorReplacement = (statusCode) => this.pipeline.renderErrorPage(this, statusCode);
  }

  /** The client connection ends after this response, unread body and all (IIS after 413.1). */
  closeConnection(): void {
    const stream = workerStreamOf(this.req);
    if (stream) stream.closeConnection = true;
  }

  /** Counts a body without Content-Length against `limit` as it arrives; `onExceeded` runs once past it. */
  limitRequestBody(limit: number, onExceeded: (context: HttpContext) => void): void {
    workerStreamOf(this.req)?.limitBody(limit, () => onExceeded(this));
  }

  /** The one error path: status and substatus, the custom error module's page, then LogRequest and EndRequest. */
  sendError(status: number, subStatus = 0, error?: unknown): void {
    this.pipeline.sendError(this, status, subStatus, error);
  }
}

export function httpContextOf(req: IncomingMessage): HttpContext | undefined {
  return (req as unknown as Record<symbol, HttpContext | undefined>)[kHttpContext];
}
