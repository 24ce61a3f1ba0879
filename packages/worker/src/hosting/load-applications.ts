// Loads every application of the pool: its Node code where an entry script exists (iisnode handler
// path → package.json main → server.js, app.js, index.js), then its pipeline, compiled once. Node
// applications load one after another so a `listen()` is attributed to the application that made it.
// An application whose configuration has a 500.19 fault loads no code: it answers with that page.
// An application whose entry script throws while loading fails alone, as a node.exe that dies at start
// fails alone under iisnode: the worker still starts and serves the pool's other applications, and
// that one answers 500.1001 with the error (docs/process-model.md, "An application that fails while loading").
// An application whose configuration maps its entry script to iisnode with a handler of its own
// (`<add modules="iisnode" path="hello.js">`, iisnode's layout) runs the iisnode way instead: in Node
// processes the worker starts, with its <iisnode> settings (src/hosting/iisnode/, docs/hosting.md).
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
import type { NodeHost } from './node-host.js';
import { IisnodeApplication } from './iisnode/iisnode-application.js';
import { ControlPipe } from './iisnode/control-pipe.js';
import { writeInterceptor } from './iisnode/interceptor-source.js';
import { readAppSettings, resolveUrl, type Site } from '@poolhost/config';
import { dirname, join, relative, sep } from 'node:path';

export interface LoadApplicationsOptions {
  /** How long an application that neither exported a listener nor listened yet may take to call listen(). */
  listenWaitMs: number;
  /** A placeholder for process.env.PORT (iisnode sets a named pipe's name there). */
  portPlaceholder: string;
  /** Where iisnode applications' sockets and the interceptor go (the run directory). */
  runDirectory: string;
  /** recycleSignalEnabled: an application asked for this worker to be recycled. */
  requestRecycle: () => void;
}

/** The iisnode applications a worker started (their node processes end with the worker). */
export const iisnodeApplications: IisnodeApplication[] = [];

export async function loadApplications(
  applications: PoolApplication[],
  options: LoadApplicationsOptions,
  services: WorkerServices,
  logger: Logger,
): Promise<ApplicationTable> {
  const table = new ApplicationTable();
  installServerVariablesGetter();
  const plans = applications.map((application) => {
    const entry = application.fault ? null : findEntryScript(application.physicalPath, application.iisnodeHandlerPath);
    return { application, entry, separateProcesses: entry !== null && application.iisnodeHandlerPath !== null && !application.iisnodeHandlerPath.includes('*') };
  });
  const nodeApplications = plans.filter((plan) => plan.entry !== null && !plan.separateProcesses);
  // Always: a sub-folder's mapped script may be loaded in this worker on its first request
  // (EntryScriptHosts) even when no application root has one; node processes get their own PORT.
  installListenCapture();
  process.env.PORT = options.portPlaceholder;
  if (nodeApplications.length > 0) {
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
  let interceptor: string | null = null;
  let controlPipe: ControlPipe | null = null;
  for (const { application, entry, separateProcesses } of plans) {
    let node: NodeHost | null = null;
    if (entry && separateProcesses) {
      interceptor ??= writeInterceptor(options.runDirectory);
      controlPipe ??= new ControlPipe(join(options.runDirectory, `iisnode-control-${process.pid}.sock`), options.requestRecycle);
      const iisnode = new IisnodeApplication({
        entryScript: entry,
        section: application.config?.sections['iisnode'],
        appSettings: () => readAppSettings(webConfigFiles(application.site, application.path, application.physicalPath, entry)),
        socketDirectory: options.runDirectory,
        defaultInterceptor: interceptor,
        controlPipe,
        id: `n${process.pid}-${iisnodeApplications.length}`,
        logger: logger.child({ site: application.siteName, application: application.path }),
      });
      iisnodeApplications.push(iisnode);
      node = iisnode;
      logger.info({ site: application.siteName, application: application.path, entry }, `iisnode application ${application.path}: ${entry} runs in node processes`);
    } else if (entry) {
      const inProcess = new NodeApplication(application.siteId, application.siteName, application.path, entry, application.netTcp);
      node = inProcess;
      if (application.netTcp) table.netTcp.set(application.siteId, inProcess);
      const sameScript = loadedEntries.get(entry);
      if (sameScript) inProcess.shareWith(sameScript);
      else {
        loadedEntries.set(entry, inProcess);
        services.entryScripts.add(inProcess);
        try {
          await inProcess.load(options.listenWaitMs);
          logger.info({ site: application.siteName, application: application.path, entry }, `loaded Node application ${application.path}`);
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          inProcess.loadFailure = new Error(`application '${application.siteName}${application.path}' (${entry}) failed to load: ${message}`, { cause: error });
          logger.error({ err: error, site: application.siteName, application: application.path, entry }, inProcess.loadFailure.message);
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

/**
 * The web.config files whose `<appSettings>` reach the entry script, parent first, as .NET inherits them:
 * the site root's and each parent application's or folder's (by URL), the application's, then its
 * folders down to the entry script's.
 */
function webConfigFiles(site: Site, applicationPath: string, applicationFolder: string, entryScript: string): string[] {
  const files: string[] = [];
  const segments = applicationPath.split('/').filter(Boolean);
  for (let depth = 0; depth < segments.length; depth++) {
    const folder = resolveUrl(site, `/${segments.slice(0, depth).join('/')}`)?.physicalPath;
    if (folder !== undefined) files.push(join(folder, 'web.config'));
  }
  files.push(join(applicationFolder, 'web.config'));
  const below = relative(applicationFolder, dirname(entryScript));
  if (below && !below.startsWith('..')) {
    let folder = applicationFolder;
    for (const segment of below.split(sep)) files.push(join((folder = join(folder, segment)), 'web.config'));
  }
  return [...new Set(files)];
}
