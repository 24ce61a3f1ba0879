import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import pino from 'pino';
import { HttpContext } from '../../src/pipeline/http-context.js';
import { RequestPipeline } from '../../src/pipeline/request-pipeline.js';
import { Stage } from '../../src/pipeline/request-stage.js';
import type { HttpModule } from '../../src/pipeline/http-module.js';
import type { PipelineApplication } from '../../src/pipeline/pipeline-application.js';

const logger = pino({ level: 'silent' });
const application = { mapPath: () => null, logger } as unknown as PipelineApplication;

function request(url = '/x'): { req: IncomingMessage; res: ServerResponse } {
  const req = new IncomingMessage(new Socket());
  req.url = url;
  req.method = 'GET';
  const res = new ServerResponse(req);
  res.end = function end(this: ServerResponse) {
    (this as unknown as { finished: boolean }).finished = true;
    return this;
  } as ServerResponse['end'];
  return { req, res };
}

function recorder(name: string, log: string[], stages: Array<keyof typeof Stage>): HttpModule {
  return { name, stages: Object.fromEntries(stages.map((stage) => [stage, () => void log.push(`${stage}:${name}`)])) };
}

test('stages run in IIS order, modules in list order within a stage; empty stages are null', () => {
  const log: string[] = [];
  const pipeline = new RequestPipeline([recorder('A', log, ['EndRequest', 'BeginRequest']), recorder('B', log, ['BeginRequest', 'LogRequest'])], {});
  assert.equal(pipeline.stages[Stage.AuthenticateRequest], null);
  const { req, res } = request();
  pipeline.run(new HttpContext(req, res, pipeline, application));
  assert.deepEqual(log, ['BeginRequest:A', 'BeginRequest:B', 'LogRequest:B', 'EndRequest:A']);
});

test('a module that completes the request skips to LogRequest; EndRequest still runs', () => {
  const log: string[] = [];
  const stopper: HttpModule = { name: 'Stop', stages: { BeginRequest: (context) => context.completeRequest() } };
  const pipeline = new RequestPipeline([stopper, recorder('R', log, ['BeginRequest', 'AuthorizeRequest', 'ExecuteRequestHandler', 'LogRequest', 'EndRequest'])], {});
  const { req, res } = request();
  pipeline.run(new HttpContext(req, res, pipeline, application));
  assert.deepEqual(log, ['LogRequest:R', 'EndRequest:R']);
});

test('a throwing module takes the one error path: 500 through the error responder, then LogRequest and EndRequest', () => {
  const log: string[] = [];
  const thrower: HttpModule = { name: 'Thrower', stages: { AuthorizeRequest: () => { throw new Error('boom'); } } };
  const pipeline = new RequestPipeline([thrower, recorder('R', log, ['MapRequestHandler', 'LogRequest', 'EndRequest'])], {});
  pipeline.errorResponder = (context, status, subStatus) => {
    log.push(`error ${status}.${subStatus} in ${context.module}: ${(context.error as Error).message}`);
    context.res.end();
  };
  const { req, res } = request();
  pipeline.run(new HttpContext(req, res, pipeline, application));
  assert.deepEqual(log, ['error 500.0 in Thrower: boom', 'LogRequest:R', 'EndRequest:R']);
  assert.equal(res.statusCode, 500);
});

test('a stage handler returning a promise suspends the request there (stage and module stay visible) and resumes after', async () => {
  const log: string[] = [];
  let release!: () => void;
  const waiter: HttpModule = { name: 'Waiter', stages: { AcquireRequestState: () => new Promise<void>((resolve) => (release = resolve)) } };
  const pipeline = new RequestPipeline([waiter, recorder('R', log, ['AcquireRequestState', 'EndRequest'])], {});
  const { req, res } = request();
  const context = new HttpContext(req, res, pipeline, application);
  pipeline.run(context);
  assert.equal(context.stageIndex, Stage.AcquireRequestState);
  assert.equal(context.module, 'Waiter');
  assert.deepEqual(log, []);
  release();
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(log, ['AcquireRequestState:R', 'EndRequest:R']);
});

test('a step that waits for the response (RQ_NOTIFICATION_PENDING) resumes once the response closes, after its other close listeners', async () => {
  const log: string[] = [];
  const { req, res } = request();
  const handler: HttpModule = {
    name: 'Waiter',
    stages: {
      ExecuteRequestHandler: (context) => {
        context.pipeline.resumeAfterResponse(context);
        res.on('close', () => log.push('application close listener'));
      },
    },
  };
  const pipeline = new RequestPipeline([handler, recorder('R', log, ['ExecuteRequestHandler', 'LogRequest'])], {});
  const context = new HttpContext(req, res, pipeline, application);
  pipeline.run(context);
  assert.equal(context.stageIndex, Stage.ExecuteRequestHandler);
  assert.equal(context.module, 'Waiter');
  assert.deepEqual(log, []);
  res.emit('close');
  assert.deepEqual(log, ['application close listener']);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(log, ['application close listener', 'ExecuteRequestHandler:R', 'LogRequest:R']);
});

test('a response that closes before the waiting step returns lets the pipeline carry on at once', () => {
  const log: string[] = [];
  const { req, res } = request();
  const handler: HttpModule = {
    name: 'Waiter',
    stages: {
      ExecuteRequestHandler: (context) => {
        context.pipeline.resumeAfterResponse(context);
        res.emit('close');
      },
    },
  };
  const pipeline = new RequestPipeline([handler, recorder('R', log, ['ExecuteRequestHandler', 'LogRequest'])], {});
  pipeline.run(new HttpContext(req, res, pipeline, application));
  assert.deepEqual(log, ['ExecuteRequestHandler:R', 'LogRequest:R']);
});
