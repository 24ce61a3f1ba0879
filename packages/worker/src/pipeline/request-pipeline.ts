// The integrated pipeline of an application, compiled once (and shared by applications with the same
// configuration, site, folder and entry script: the request's HttpContext says which one it is for):
// for each of the twelve stages, the list of module steps subscribed to it (null when none — skipped
// with one check). A request walks the stages in order; a module may complete the request early, after
// which only LogRequest and EndRequest run. Every error takes the one error path: sendError → the custom
// error module's page → LogRequest → EndRequest (docs/request-pipeline.md).
import { Pending, type HttpContext } from './http-context.js';
import type { HttpModule, ModuleStep } from './http-module.js';
import { REQUEST_STAGES, Stage } from './request-stage.js';

/** Renders an error response (the CustomErrorModule, or a bare fallback when it is removed). */
export type ErrorResponder = (context: HttpContext, status: number, subStatus: number) => void;

/** Steps the pipeline itself runs (IIS's "IIS Web Core"): handler mapping, the 401.2 check. */
export const CORE_MODULE = 'IIS Web Core';
/** The ExecuteRequestHandler step: shown (and traced) as the module of the handler chosen. */
export const HANDLER_STEP = 'Handler';

export class RequestPipeline {
  /** REQUEST_STAGES.length entries; null = nobody subscribed. */
  readonly stages: Array<ModuleStep[] | null>;
  errorResponder: ErrorResponder = bareErrorResponse;

  constructor(modules: HttpModule[], coreSteps: Partial<Record<number, { before?: ModuleStep[]; after?: ModuleStep[] }>>) {
    this.stages = REQUEST_STAGES.map((stage, index) => {
      const steps: ModuleStep[] = [...(coreSteps[index]?.before ?? [])];
      for (const module of modules) {
        const run = module.stages[stage];
        if (run) steps.push({ module: module.name, run });
      }
      steps.push(...(coreSteps[index]?.after ?? []));
      return steps.length ? steps : null;
    });
  }

  /** Runs (or resumes) the request from where it stands. */
  run(context: HttpContext): void {
    // MapRequestHandler moved the request to the pipeline of another folder's configuration (a rewrite).
    if (context.pipeline !== this) return context.pipeline.run(context);
    const stages = this.stages;
    while (context.stageIndex < 12) {
      let index = context.stageIndex;
      if (context.completed && index < Stage.LogRequest) {
        index = context.stageIndex = Stage.LogRequest;
        context.stepIndex = 0;
      } else if (index === Stage.ResolveRequestCache && context.upgrade !== null) {
        // An upgrade request passed filtering, authentication and authorization: the application takes it.
        const upgrade = context.upgrade;
        context.upgrade = null;
        upgrade();
        return;
      }
      const steps = stages[index];
      if (steps !== null) {
        while (context.stepIndex < steps.length) {
          const step = steps[context.stepIndex++]!;
          context.module = step.module === HANDLER_STEP ? (context.handler?.handler?.module ?? CORE_MODULE) : step.module;
          const trace = context.trace;
          if (trace !== null) trace.moduleStart(context.module, index);
          let result: void | Promise<void>;
          try {
            result = step.run(context);
          } catch (error) {
            this.fail(context, error);
            result = undefined;
          }
          if (context.pending === Pending.Requested) {
            // The step returned RQ_NOTIFICATION_PENDING: resumeAfterResponse picks the request up again.
            context.pending = Pending.Waiting;
            return;
          }
          if (result !== undefined) {
            result.then(
              () => this.resume(context),
              (error: unknown) => {
                this.fail(context, error);
                this.resume(context);
              },
            );
            return;
          }
          if (trace !== null) trace.moduleEnd(context.module, index, context);
          if (context.pipeline !== this) return context.pipeline.run(context);
          if (context.completed && index < Stage.LogRequest) break;
        }
      }
      context.stageIndex = index + 1;
      context.stepIndex = 0;
    }
  }

  /** Picks a suspended request up again where it stands. */
  resume(context: HttpContext): void {
    context.trace?.moduleEnd(context.module, context.stageIndex, context);
    this.run(context);
  }

  /**
   * The running step lasts until the response closes (IIS: RQ_NOTIFICATION_PENDING, then
   * IndicateCompletion) — what a promise resolved on 'close' would do, without the promise and its
   * closures per request. The pipeline resumes in a microtask, after every other 'close' listener.
   */
  resumeAfterResponse(context: HttpContext): void {
    context.pending = Pending.Requested;
    context.res.on('close', () => {
      // Closed before the step even returned: the pipeline just carries on.
      if (context.pending === Pending.Requested) context.pending = Pending.None;
      else if (context.pending === Pending.Waiting) {
        context.pending = Pending.None;
        void Promise.resolve(context).then(resumeContext);
      }
    });
  }

  /** The one error path (see the class comment). */
  sendError(context: HttpContext, status: number, subStatus: number, error?: unknown): void {
    context.completed = true;
    context.subStatus = subStatus;
    if (error !== undefined) context.error = error;
    context.trace?.errorStatus(context, status, subStatus);
    const res = context.res;
    if (res.headersSent) {
      // Too late for a page: the client sees the connection cut, as with IIS.
      if (!res.writableEnded) res.destroy();
      return;
    }
    res.statusCode = status;
    try {
      this.errorResponder(context, status, subStatus);
    } catch (responderError) {
      context.application.logger.error({ err: responderError }, 'the custom error module failed');
      if (!res.headersSent) bareErrorResponse(context, status, subStatus);
    }
  }

  /**
   * The page `sendError` would write for `status`, rendered aside (existingResponse="Replace" of a response
   * the application already started): the error responder writes into a stand-in for `res`.
   */
  renderErrorPage(context: HttpContext, status: number): { statusCode: number; headers: string[]; body: Buffer } {
    const page = new RenderedPage(status);
    const view = Object.create(context, { res: { value: page } }) as HttpContext;
    try {
      this.errorResponder(view, status, 0);
    } catch (error) {
      context.application.logger.error({ err: error }, 'the custom error module failed');
    }
    if (!page.ended) bareErrorResponse(view, status, 0);
    const headers: string[] = [];
    for (const [name, value] of page.headers) headers.push(name, value);
    headers.push('Content-Length', String(page.body.length));
    return { statusCode: page.statusCode, headers, body: page.body };
  }

  private fail(context: HttpContext, error: unknown): void {
    const stage = REQUEST_STAGES[context.stageIndex] ?? 'EndRequest';
    context.application.logger.error({ err: error, module: context.module, stage, url: context.req.url }, `module ${context.module} failed in ${stage}`);
    if (context.stageIndex >= Stage.LogRequest && context.res.writableEnded) return;
    this.sendError(context, 500, 0, error);
  }
}

/** What an error responder writes to (statusCode, setHeader, end), captured instead of sent. */
class RenderedPage {
  readonly headers = new Map<string, string>();
  body: Buffer = Buffer.alloc(0);
  ended = false;
  readonly headersSent = false;

  constructor(public statusCode: number) {}

  setHeader(name: string, value: string | number): this {
    this.headers.set(name, String(value));
    return this;
  }

  end(body?: string | Buffer): this {
    this.body = body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(body) ? body : Buffer.from(body);
    this.ended = true;
    return this;
  }
}

function resumeContext(context: HttpContext): void {
  context.pipeline.resume(context);
}

function bareErrorResponse(context: HttpContext, status: number, subStatus: number): void {
  const res = context.res;
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.end(`HTTP Error ${status}.${subStatus}\n`);
}
