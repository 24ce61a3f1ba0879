// Compiles one application's pipeline, once, when the worker loads it: the modules enabled by the
// effective `system.webServer/modules` list (built-in ones by name, application modules by their .js
// `type`), in list order per stage; the handler mappings of `handlers`; the error responder
// (CustomErrorModule). Nothing here runs per request. Applications with the same configuration, site,
// folder and entry script (1000 applications of one folder) share one compiled pipeline.
import type { HttpHandlerEntry, HttpModuleEntry, WebServerConfig } from '@poolhost/config';
import type { NodeHost } from '../hosting/node-host.js';
import { isIisnodeHandler } from '../configuration/pool-applications.js';
import { anonymousAuthenticationModule, isAuthenticationEnabled } from '../modules/anonymous-authentication.js';
import { basicAuthenticationModule, basicChallenge } from '../modules/basic-authentication.js';
import { compressionModule } from '../modules/compression.js';
import { customErrorResponder } from '../modules/custom-errors/custom-error-module.js';
import { customHeadersModule } from '../modules/custom-headers.js';
import { failedRequestTracingModule } from '../modules/failed-request-tracing/failed-request-tracing-module.js';
import { httpLoggingModule } from '../modules/http-logging/http-logging-module.js';
import { httpCacheModule } from '../modules/http-cache/http-cache-module.js';
import { ipRestrictionModule } from '../modules/ip-restriction.js';
import { sslAccessCheck } from './ssl-access.js';
import { requestFilteringModule } from '../modules/request-filtering.js';
import { rewriteModule } from '../modules/url-rewrite.js';
import { isApplicationModuleType, loadApplicationModule } from '../modules/application-module.js';
import { iisnodeAttributesWithoutEffect } from '../hosting/iisnode/iisnode-settings.js';
import { iisnodeHandler } from '../handlers/iisnode-handler.js';
import { protocolSupportHandler } from '../handlers/protocol-support-handler.js';
import { staticFileHandler } from '../handlers/static-file-handler.js';
import type { ConfigurationFault } from '@poolhost/config';
import { join } from 'node:path';
import type { ApplicationSetup } from './application-setup.js';
import { compileHandlerMappings, findHandlerMapping, mapRequestHandler, pathMatcher, type HandlerMapping, type RequestHandler } from './handler-mapping.js';
import type { HttpContext } from './http-context.js';
import type { HttpModule, ModuleStep } from './http-module.js';
import { PipelineApplication } from './pipeline-application.js';
import { CORE_MODULE, HANDLER_STEP, RequestPipeline, type ErrorResponder } from './request-pipeline.js';
import { Stage } from './request-stage.js';

/** The handler entry poolhost adds for a Node application whose configuration names no iisnode handler. */
export const IMPLICIT_IISNODE_HANDLER: Omit<HttpHandlerEntry, 'position'> = {
  name: 'iisnode',
  path: '*',
  verb: '*',
  type: '',
  modules: 'iisnode',
  scriptProcessor: '',
  resourceType: 'Unspecified',
  requireAccess: 'Script',
  allowPathInfo: false,
  preCondition: '',
  responseBufferLimit: 0,
};

export async function compileApplication(setup: ApplicationSetup, node: NodeHost | null): Promise<PipelineApplication> {
  const application = new PipelineApplication(setup, node);
  const { services } = setup;
  const config = setup.config;
  if (config === null) {
    // 500.19: nothing of the application's configuration can be trusted; log with the site's settings.
    const logging = httpLoggingModule({ dontLog: false, selectiveLogging: 'LogAll' }, services.logWriter(setup.site));
    application.pipeline = new RequestPipeline(logging ? [logging] : [], {});
    application.pipeline.errorResponder = customErrorResponder(null, setup.physicalPath);
    return application;
  }

  // Modules built per application; when none of them has anything to run (no rewrite rules, Basic
  // authentication off), the application shares the pipeline compiled for its configuration.
  const ownModules = new Map<number, HttpModule>();
  for (const [index, entry] of config.modules.modules.entries()) {
    if (!PER_APPLICATION_MODULES.has(entry.name.toLowerCase())) continue;
    const module = await buildModule(entry, config, setup);
    if (module) ownModules.set(index, module);
  }
  const compilation = sharedCompilationOf(config, setup);
  if (ownModules.size > 0) {
    application.pipeline = await compilePipeline(config, setup, node !== null, compilation, ownModules);
    return application;
  }
  const pipelineKey = node?.entryScript ?? '';
  let pipeline = compilation.pipelines.get(pipelineKey);
  if (!pipeline) compilation.pipelines.set(pipelineKey, (pipeline = await compilePipeline(config, setup, node !== null, compilation, ownModules)));
  application.pipeline = pipeline;
  return application;
}

/**
 * The pipeline of a folder whose effective configuration is not its application root's (a web.config
 * of its own or of a folder above it, a location tag): same modules and handlers, built from that
 * configuration. `folder` is the folder's URL and physical path; `ruleBases` maps each web.config file
 * above it to its URL (URL Rewrite matches a rule relative to the folder of the file that declares it).
 */
export async function compileFolderPipeline(
  application: PipelineApplication,
  config: WebServerConfig,
  folder: { physicalPath: string | null },
  ruleBases: ReadonlyMap<string, string>,
): Promise<RequestPipeline> {
  const setup = application.setup;
  const ownModules = new Map<number, HttpModule>();
  for (const [index, entry] of config.modules.modules.entries()) {
    if (!PER_APPLICATION_MODULES.has(entry.name.toLowerCase())) continue;
    const module = await buildModule(entry, config, setup, ruleBases);
    if (module) ownModules.set(index, module);
  }
  if (folder.physicalPath !== null) {
    for (const handler of config.handlers.handlers) {
      if (isIisnodeHandler(handler.modules) && !/[*?]/.test(handler.path)) setup.services.entryScripts.remember(join(folder.physicalPath, handler.path));
    }
  }
  return compilePipeline(config, setup, application.node !== null, sharedCompilationOf(config, setup), ownModules);
}

/** A folder whose configuration cannot be used: every request there gets the 500.19 page for `fault`. */
export function compileFaultPipeline(setup: ApplicationSetup, fault: ConfigurationFault): RequestPipeline {
  const logging = httpLoggingModule({ dontLog: false, selectiveLogging: 'LogAll' }, setup.services.logWriter(setup.site));
  const answer: ModuleStep = { module: CORE_MODULE, run: (context) => context.sendError(500, 19, fault) };
  // MapRequestHandler too: a request a rewrite moves into this folder joins the pipeline there.
  const pipeline = new RequestPipeline(logging ? [logging] : [], {
    [Stage.BeginRequest]: { before: [answer] },
    [Stage.MapRequestHandler]: { before: [answer] },
  });
  pipeline.errorResponder = customErrorResponder(null, setup.physicalPath);
  return pipeline;
}

function buildModule(entry: HttpModuleEntry, config: WebServerConfig, setup: ApplicationSetup, ruleBases?: ReadonlyMap<string, string>): HttpModule | null | Promise<HttpModule | null> {
  return entry.type && isApplicationModuleType(entry.type) ? loadApplicationModule(entry.name, entry.type, setup.physicalPath) : builtInModule(entry.name, config, setup, ruleBases);
}

async function compilePipeline(
  config: WebServerConfig,
  setup: ApplicationSetup,
  hasNode: boolean,
  compilation: SharedCompilation,
  ownModules: Map<number, HttpModule>,
): Promise<RequestPipeline> {
  const sections = config.sections;
  const enabled = new Set(config.modules.modules.map((entry) => entry.name.toLowerCase()));
  const modules: HttpModule[] = [];
  const shared = compilation.modules;
  for (const [index, entry] of config.modules.modules.entries()) {
    let module: HttpModule | null | undefined = PER_APPLICATION_MODULES.has(entry.name.toLowerCase()) ? (ownModules.get(index) ?? null) : shared.get(index);
    if (module === undefined) shared.set(index, (module = await buildModule(entry, config, setup)));
    if (module) modules.push(module);
  }
  // HttpCacheModule is not in poolhost's module list (appcmd shows IIS's shipped list without it); it is
  // always there, as in IIS's default installation (with caching@enableKernelCache false it only traces why).
  modules.push(httpCacheModule(config));
  reportUserModeCaching(config, setup);

  let mappings: HandlerMapping[] = [];
  const iisnodeFiles = config.handlers.handlers.filter((entry) => isIisnodeHandler(entry.modules)).map((entry) => pathMatcher(entry.path));
  const staticHandler = staticFileHandler(config, {
    defaultDocumentModule: enabled.has('defaultdocumentmodule'),
    directoryListingModule: enabled.has('directorylistingmodule'),
    mapDefaultDocument: (context, fileName) => findHandlerMapping(mappings, fileName, context.req.method ?? 'GET'),
    isIisnodeFile: (fileName) => iisnodeFiles.some((matches) => matches(fileName)),
  });
  const replaceErrors = enabled.has('customerrormodule') && config.httpErrors.existingResponse === 'Replace';
  const nodeHandler = iisnodeHandler(sections['iisnode'], replaceErrors);
  const resolveHandler = (entry: HttpHandlerEntry): RequestHandler | null => {
    const names = entry.modules.split(',').map((name) => name.trim().toLowerCase());
    if (isIisnodeHandler(entry.modules)) return nodeHandler;
    if (names.some((name) => name === 'staticfilemodule' || name === 'defaultdocumentmodule' || name === 'directorylistingmodule')) return staticHandler;
    if (names.includes('protocolsupportmodule')) return protocolSupportHandler;
    return null;
  };
  const handlerEntries = [...config.handlers.handlers];
  if (hasNode && !handlerEntries.some((entry) => isIisnodeHandler(entry.modules))) {
    handlerEntries.unshift({ ...IMPLICIT_IISNODE_HANDLER, position: { file: setup.physicalPath, line: 0, column: 0 } });
    const withoutEffect = iisnodeAttributesWithoutEffect(sections['iisnode'], 'worker');
    if (withoutEffect.length > 0) {
      setup.logger.warn({ application: setup.path, attributes: withoutEffect }, `iisnode settings of application ${setup.path} (loaded into w3wp) that have no effect: ${withoutEffect.join(', ')}`);
    }
  }
  mappings = compileHandlerMappings(handlerEntries, config.handlers.accessPolicy, resolveHandler);

  const coreSteps: Partial<Record<number, { before?: ModuleStep[]; after?: ModuleStep[] }>> = {
    [Stage.MapRequestHandler]: { before: [{ module: CORE_MODULE, run: (context) => mapInFolder(context, mappings) }] },
    [Stage.ExecuteRequestHandler]: { after: [{ module: HANDLER_STEP, run: executeHandler }] },
  };
  const sslAccess = sslAccessCheck(sections['security/access']);
  if (sslAccess) coreSteps[Stage.BeginRequest] = { before: [{ module: CORE_MODULE, run: sslAccess }] };
  const anonymous = enabled.has('anonymousauthenticationmodule') && isAuthenticationEnabled(sections['security/authentication/anonymousAuthentication'], true);
  if (!anonymous) {
    const basic = enabled.has('basicauthenticationmodule') && isAuthenticationEnabled(sections['security/authentication/basicAuthentication'], false);
    const basicSection = sections['security/authentication/basicAuthentication'];
    coreSteps[Stage.AuthenticateRequest] = {
      after: [
        {
          module: CORE_MODULE,
          run: (context) => {
            if (context.user !== null) return;
            if (basic) context.res.setHeader('WWW-Authenticate', basicChallenge(basicSection, context.req.headers.host ?? ''));
            context.sendError(401, 2);
          },
        },
      ],
    };
  }
  const pipeline = new RequestPipeline(modules, coreSteps);
  if (enabled.has('customerrormodule')) pipeline.errorResponder = (compilation.errorResponder ??= customErrorResponder(config.httpErrors, setup.physicalPath));
  setup.logger.debug({ application: setup.path, modules: modules.map((module) => module.name), handlers: mappings.map((mapping) => mapping.name) }, 'pipeline compiled');
  return pipeline;
}

/**
 * Applications with the same effective configuration object (packages/config's EffectiveConfigCache:
 * 1000 applications of one folder) and the same site and folder share their module instances and
 * error responder: a module is built from exactly those. Modules that also read the application's
 * path (URL Rewrite) or its logger (Basic authentication) are built per application, and an
 * application where one of them has something to do compiles its own pipeline; the others share the
 * whole compiled pipeline (steps, handler mappings, handlers), per entry script.
 */
const PER_APPLICATION_MODULES = new Set(['rewritemodule', 'basicauthenticationmodule']);

interface SharedCompilation {
  /** Index in the modules list → the module built for it (null: nothing to run). */
  modules: Map<number, HttpModule | null>;
  errorResponder: ErrorResponder | null;
  /** Entry script ('' for none) → the pipeline compiled for it. */
  pipelines: Map<string, RequestPipeline>;
}

const sharedCompilations = new WeakMap<WebServerConfig, Map<string, SharedCompilation>>();

function sharedCompilationOf(config: WebServerConfig, setup: ApplicationSetup): SharedCompilation {
  let bySiteAndFolder = sharedCompilations.get(config);
  if (!bySiteAndFolder) sharedCompilations.set(config, (bySiteAndFolder = new Map()));
  const key = `${setup.site.id}\u0000${setup.physicalPath}`;
  let compilation = bySiteAndFolder.get(key);
  if (!compilation) bySiteAndFolder.set(key, (compilation = { modules: new Map(), errorResponder: null, pipelines: new Map() }));
  return compilation;
}

/**
 * MapRequestHandler. A rewrite that moved the request to another folder moves it to the pipeline of
 * that folder's configuration first (IIS maps a rewritten URL with the configuration of the new URL);
 * that pipeline's own MapRequestHandler step then maps it.
 */
function mapInFolder(context: HttpContext, mappings: HandlerMapping[]): void | Promise<void> {
  const folders = context.application.folders;
  if (context.rewritten && folders !== null) {
    context.rewritten = false;
    const target = folders.pipelineFor(context.path);
    if (target instanceof Promise) {
      return target.then((pipeline) => {
        context.pipeline = pipeline;
        context.stepIndex = 0;
      });
    }
    if (target !== context.pipeline) {
      context.pipeline = target;
      context.stepIndex = 0;
      return;
    }
  }
  return mapRequestHandler(context, mappings);
}

function executeHandler(context: HttpContext): void | Promise<void> {
  const mapping = context.handler;
  if (mapping === null || mapping.handler === null) return context.sendError(404, 4);
  return mapping.handler.execute(context);
}

function builtInModule(name: string, config: WebServerConfig, setup: ApplicationSetup, ruleBases?: ReadonlyMap<string, string>): HttpModule | null {
  const sections = config.sections;
  switch (name.toLowerCase()) {
    case 'httploggingmodule':
      return httpLoggingModule(config.httpLogging, setup.services.logWriter(setup.site));
    case 'failedrequeststracingmodule':
      return failedRequestTracingModule(config.traceFailedRequests, setup.services.traceWriter(setup.site), setup.applicationPool);
    case 'staticcompressionmodule':
      return compressionModule('static', sections['urlCompression'], sections['httpCompression']);
    case 'dynamiccompressionmodule':
      return compressionModule('dynamic', sections['urlCompression'], sections['httpCompression']);
    case 'anonymousauthenticationmodule':
      return anonymousAuthenticationModule(sections['security/authentication/anonymousAuthentication']);
    case 'basicauthenticationmodule':
      return basicAuthenticationModule(sections['security/authentication/basicAuthentication'], setup.physicalPath, setup.logger);
    case 'iprestrictionmodule':
      return ipRestrictionModule(sections['security/ipSecurity']);
    case 'requestfilteringmodule':
      return requestFilteringModule(config.requestFiltering);
    case 'rewritemodule':
      return rewriteModule(sections['rewrite/rules'], setup.path, ruleBases);
    case 'protocolsupportmodule':
      return customHeadersModule(sections['httpProtocol']);
    default:
      // Handler modules (StaticFileModule, iisnode …), CustomErrorModule, and IIS modules poolhost has no counterpart for.
      return null;
  }
}

/**
 * IIS's user-mode output cache (a profile's `policy`, `caching@enabled`) has no counterpart in poolhost:
 * such a profile caches nothing in w3wp (its `kernelCachePolicy` is honoured by httpsys). Said, not
 * dropped silently: once per application compiled.
 */
function reportUserModeCaching(config: WebServerConfig, setup: ApplicationSetup): void {
  const userMode = config.caching.profiles.filter((profile) => profile.policy !== 'DontCache');
  if (userMode.length === 0 || !config.caching.enabled) return;
  const listed = userMode.map((profile) => `${profile.extension} policy="${profile.policy}"`).join(', ');
  setup.logger.warn(
    { physicalPath: setup.physicalPath, profiles: userMode.map((profile) => profile.extension) },
    `caching profiles ${listed}: poolhost has no user-mode output cache, so these responses come from the application each time (kernelCachePolicy is honoured by httpsys' kernel cache)`,
  );
}
