// Loads every application of the pool: its Node code where an entry script exists (iisnode handler
// path → package.json main → server.js, app.js, index.js), then its pipeline, compiled once. Node
// applications load one after another so a `listen()` is attributed to the application that made it.
// An application whose configuration has a 500.19 fault loads no code: it answers with that page.
// An application whose entry script throws while loading fails alone, as a node.exe that dies at start
// fails alone under iisnode: the worker still starts and serves the pool's other applications, and
// that one answers 500.1001 with the error (docs/process-model.md, "An application that fails while loading").
import type { Logger } from 'pino';
import type { PoolApplication } from '../configuration/pool-applications.js';
import { compileApplication } from '../pipeline/compile-application.js';
import { FolderPipelines } from '../pipeline/folder-pipelines.js';
import { installServerVariablesGetter } from '../pipeline/server-variables.js';
import type { WorkerServices } from '../pipeline/worker-services.js';
import { ApplicationTable } from './application-table.js';
import { findEntryScript } from './entry-script.js';
import { installListenCapture } from './listen-capture.js';
import { NodeApplication } from './node-application.js';

export interface LoadApplicationsOptions {
  /** How long an application that neither exported a listener nor listened yet may take to call listen(). */
  listenWaitMs: number;
  /** A placeholder for process.env.PORT (iisnode sets a named pipe's name there). */
  portPlaceholder: string;
}

export async function loadApplications(
  applications: PoolApplication[],
  options: LoadApplicationsOptions,
  services: WorkerServices,
  logger: Logger,
): Promise<ApplicationTable> {
  const table = new ApplicationTable();
  installServerVariablesGetter();
  const plans = applications.map((application) => ({
    application,
    entry: application.fault ? null : findEntryScript(application.physicalPath, application.iisnodeHandlerPath),
  }));
  const nodeApplications = plans.filter((plan) => plan.entry !== null);
  if (nodeApplications.length > 0) {
    installListenCapture();
    process.env.PORT = options.portPlaceholder;
    // iisnode runs an application in its own folder; with one Node application per pool, so does w3wp.
    const folders = new Set(nodeApplications.map((plan) => plan.application.physicalPath));
    if (folders.size === 1) {
      const folder = [...folders][0]!;
      process.chdir(folder);
      process.env.APPL_PHYSICAL_PATH = folder.endsWith('/') ? folder : `${folder}/`;
    }
  }
  const loadedEntries = new Map<string, NodeApplication>();
  services.entryScripts.listenWaitMs = options.listenWaitMs;
  for (const { application, entry } of plans) {
    let node: NodeApplication | null = null;
    if (entry) {
      node = new NodeApplication(application.siteId, application.siteName, application.path, entry);
      const sameScript = loadedEntries.get(entry);
      if (sameScript) node.shareWith(sameScript);
      else {
        loadedEntries.set(entry, node);
        services.entryScripts.add(node);
        try {
          await node.load(options.listenWaitMs);
          logger.info({ site: application.siteName, application: application.path, entry }, `loaded Node application ${application.path}`);
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          node.loadFailure = new Error(`application '${application.siteName}${application.path}' (${entry}) failed to load: ${message}`, { cause: error });
          logger.error({ err: error, site: application.siteName, application: application.path, entry }, node.loadFailure.message);
        }
      }
    }
    const hosted = await compileApplication(
      {
        site: application.site,
        path: application.path,
        applicationPool: application.applicationPool,
        physicalPath: application.physicalPath,
        virtualDirectories: application.virtualDirectories,
        config: application.config,
        fault: application.fault,
        logger: logger.child({ site: application.siteName, application: application.path }),
        services,
      },
      node,
    );
    if (application.config !== null) hosted.folders = new FolderPipelines(application.host, application.configCache, hosted, application.config);
    table.add(hosted);
    if (!node) logger.info({ site: application.siteName, application: application.path, folder: application.physicalPath }, `serving ${application.path} through the pipeline (no Node entry script)`);
  }
  return table;
}
