// What a module is to the pipeline: a name and a handler for each stage it subscribes to. Built-in
// modules (src/modules/) and application modules (`<add name="…" type="./my-module.js" />`) alike.
import type { HttpContext } from './http-context.js';
import type { RequestStage } from './request-stage.js';

/** Returns nothing when done synchronously, or a promise the pipeline waits for. */
export type StageHandler = (context: HttpContext) => void | Promise<void>;

export interface HttpModule {
  readonly name: string;
  readonly stages: Partial<Record<RequestStage, StageHandler>>;
}

/** One entry of a compiled stage: which module, which function. */
export interface ModuleStep {
  readonly module: string;
  readonly run: StageHandler;
}
