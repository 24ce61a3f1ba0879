// The effective configuration of each URL folder of an application, and the pipeline compiled for it
// (reference §5: a request is configured by every level from the site root down to its folder — each
// parent application, the application, each sub-folder and virtual directory, their web.config files
// and the location tags pointing at them). Computed once per folder, off the request path after the
// first request there: a folder maps to its compiled pipeline in one Map lookup; folders whose levels
// bring the same sections share one configuration object (EffectiveConfigCache) and so one pipeline.
// A request for a file in the application's own folder takes the root pipeline with no lookup at all —
// unless a `<location path>` tag configures a file of that folder on its own (`<location
// path="report.txt">`): then the folder remembers those names, and a request for one of them takes the
// pipeline of the file's own configuration.
// A web.config created, changed or deleted anywhere below a virtual directory makes `was` recycle the
// pool (web-config-changes.ts), so a worker's folders never outlive the files they were read from.
import { getEffectiveWebServerConfig, resolveUrl, type ApplicationHostConfig, type EffectiveConfigCache, type WebServerConfig } from '@poolhost/config';
import { join } from 'node:path';
import { logNotHonoured } from '../configuration/not-honoured-settings.js';
import { compileFaultPipeline, compileFolderPipeline } from './compile-application.js';
import type { PipelineApplication } from './pipeline-application.js';
import type { RequestPipeline } from './request-pipeline.js';

/** Distinct folder URLs remembered before the map starts again (clients can invent any number of them). */
const MAX_FOLDERS = 4096;

export class FolderPipelines {
  private readonly byFolder = new Map<string, RequestPipeline | Promise<RequestPipeline>>();
  /** Folders with files (or sub-folders) that `<location path>` tags configure on their own: their names, lower-case. */
  private readonly locatedBelow = new Map<string, ReadonlySet<string>>();
  /** The same for the application's own folder; null when none (the common case: no lookup at all). */
  private readonly rootLocatedBelow: ReadonlySet<string> | null;
  private readonly byConfig = new Map<WebServerConfig, Promise<RequestPipeline>>();
  /** Length of the application path plus its slash: a path whose last `/` is there is in the root folder. */
  private readonly rootSlash: number;

  constructor(
    private readonly host: ApplicationHostConfig,
    private readonly cache: EffectiveConfigCache,
    private readonly application: PipelineApplication,
    private readonly rootConfig: WebServerConfig,
  ) {
    this.rootSlash = application.path === '/' ? 0 : application.path.length;
    const root = getEffectiveWebServerConfig(host, application.setup.site.name, `${application.path.replace(/\/$/, '')}/`, { cache });
    this.rootLocatedBelow = root.ok && root.locatedBelow.length > 0 ? new Set(root.locatedBelow) : null;
  }

  /** The pipeline for the folder of `path` (a decoded URL path inside the application). */
  pipelineFor(path: string): RequestPipeline | Promise<RequestPipeline> {
    const slash = path.lastIndexOf('/');
    if (slash <= this.rootSlash) {
      return this.rootLocatedBelow === null ? this.application.pipeline : this.fileOrFolder(path, slash, this.rootLocatedBelow, this.application.pipeline);
    }
    const folder = path.slice(0, slash);
    const known = this.byFolder.get(folder) ?? this.remember(folder, folder);
    const located = this.locatedBelow.get(folder);
    return located === undefined ? known : this.fileOrFolder(path, slash, located, known);
  }

  /** The pipeline of the file's own configuration when a location tag names it; else its folder's. */
  private fileOrFolder(path: string, slash: number, located: ReadonlySet<string>, folderPipeline: RequestPipeline | Promise<RequestPipeline>): RequestPipeline | Promise<RequestPipeline> {
    if (!located.has(path.slice(slash + 1).toLowerCase())) return folderPipeline;
    return this.byFolder.get(path) ?? this.remember(path, path.slice(0, slash) || '/');
  }

  /** Computes and keeps the pipeline of `path` (a folder, or a file a location tag names) whose files live in `folder`. */
  private remember(path: string, folder: string): RequestPipeline | Promise<RequestPipeline> {
    if (this.byFolder.size >= MAX_FOLDERS) {
      this.byFolder.clear();
      this.locatedBelow.clear();
    }
    const pipeline = this.compute(path, folder);
    this.byFolder.set(path, pipeline);
    if (pipeline instanceof Promise) {
      void pipeline.then(
        (compiled) => {
          if (this.byFolder.get(path) === pipeline) this.byFolder.set(path, compiled);
        },
        () => this.byFolder.delete(path),
      );
    }
    return pipeline;
  }

  private compute(path: string, folder: string): RequestPipeline | Promise<RequestPipeline> {
    const { site, logger } = this.application.setup;
    const effective = getEffectiveWebServerConfig(this.host, site.name, `${path}/`, { cache: this.cache });
    logNotHonoured(logger, effective.warnings);
    if (!effective.ok) {
      const fault = effective.fault;
      logger.warn({ path, fault }, `the configuration of ${site.name}${path} cannot be used (HTTP 500.19): ${fault.file}:${fault.line}:${fault.column}: ${fault.message}`);
      return compileFaultPipeline(this.application.setup, fault);
    }
    if (path === folder && effective.locatedBelow.length > 0) this.locatedBelow.set(folder, new Set(effective.locatedBelow));
    const config = effective.config;
    if (config === this.rootConfig) return this.application.pipeline;
    let compiled = this.byConfig.get(config);
    if (compiled === undefined) {
      compiled = compileFolderPipeline(this.application, config, { physicalPath: resolveUrl(site, folder)?.physicalPath ?? null }, this.ruleBases(folder));
      this.byConfig.set(config, compiled);
      compiled.catch(() => this.byConfig.delete(config));
    }
    return compiled;
  }

  /** Each level's web.config file → the level's URL, from the site root down to `folder`. */
  private ruleBases(folder: string): Map<string, string> {
    const bases = new Map<string, string>();
    const segments = folder.split('/').filter(Boolean);
    for (let depth = 0; depth <= segments.length; depth++) {
      const url = `/${segments.slice(0, depth).join('/')}`;
      const physical = resolveUrl(this.application.setup.site, url)?.physicalPath;
      if (physical !== undefined) bases.set(join(physical, 'web.config'), url);
    }
    return bases;
  }
}
