// The effective configuration of each URL folder of an application, and the pipeline compiled for it
// (reference §5: a request is configured by every level from the site root down to its folder — each
// parent application, the application, each sub-folder and virtual directory, their web.config files
// and the location tags pointing at them). Computed once per folder, off the request path after the
// first request there: a folder maps to its compiled pipeline in one Map lookup; folders whose levels
// bring the same sections share one configuration object (EffectiveConfigCache) and so one pipeline.
// A request for a file in the application's own folder takes the root pipeline with no lookup at all.
// A web.config created, changed or deleted anywhere below a virtual directory makes `was` recycle the
// pool (web-config-changes.ts), so a worker's folders never outlive the files they were read from.
import { getEffectiveWebServerConfig, resolveUrl, type ApplicationHostConfig, type EffectiveConfigCache, type WebServerConfig } from '@poolhost/config';
import { join } from 'node:path';
import { compileFaultPipeline, compileFolderPipeline } from './compile-application.js';
import type { PipelineApplication } from './pipeline-application.js';
import type { RequestPipeline } from './request-pipeline.js';

/** Distinct folder URLs remembered before the map starts again (clients can invent any number of them). */
const MAX_FOLDERS = 4096;

export class FolderPipelines {
  private readonly byFolder = new Map<string, RequestPipeline | Promise<RequestPipeline>>();
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
  }

  /** The pipeline for the folder of `path` (a decoded URL path inside the application). */
  pipelineFor(path: string): RequestPipeline | Promise<RequestPipeline> {
    const slash = path.lastIndexOf('/');
    if (slash <= this.rootSlash) return this.application.pipeline;
    const folder = path.slice(0, slash);
    const known = this.byFolder.get(folder);
    if (known !== undefined) return known;
    if (this.byFolder.size >= MAX_FOLDERS) this.byFolder.clear();
    const pipeline = this.compute(folder);
    this.byFolder.set(folder, pipeline);
    if (pipeline instanceof Promise) {
      void pipeline.then(
        (compiled) => {
          if (this.byFolder.get(folder) === pipeline) this.byFolder.set(folder, compiled);
        },
        () => this.byFolder.delete(folder),
      );
    }
    return pipeline;
  }

  private compute(folder: string): RequestPipeline | Promise<RequestPipeline> {
    const { site, logger } = this.application.setup;
    const effective = getEffectiveWebServerConfig(this.host, site.name, `${folder}/`, { cache: this.cache });
    if (!effective.ok) {
      const fault = effective.fault;
      logger.warn({ folder, fault }, `the configuration of ${site.name}${folder} cannot be used (HTTP 500.19): ${fault.file}:${fault.line}:${fault.column}: ${fault.message}`);
      return compileFaultPipeline(this.application.setup, fault);
    }
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
