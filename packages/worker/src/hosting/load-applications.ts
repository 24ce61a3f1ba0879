// Loads every application of the pool: a Node application where an entry script exists, else the
// static file handler. Node applications load one after another so a `listen()` is attributed to the
// application that made it.
import type { Logger } from 'pino';
import type { PoolApplication } from '../configuration/pool-applications.js';
import { ApplicationTable } from './application-table.js';
import { findEntryScript } from './entry-script.js';
import { installListenCapture } from './listen-capture.js';
import { NodeApplication } from './node-application.js';
import { DEFAULT_DOCUMENTS, StaticFileApplication } from './static-file-application.js';

export interface LoadApplicationsOptions {
  /** How long an application that neither exported a listener nor listened yet may take to call listen(). */
  listenWaitMs: number;
  /** A placeholder for process.env.PORT (iisnode sets a named pipe's name there). */
  portPlaceholder: string;
}

export async function loadApplications(applications: PoolApplication[], options: LoadApplicationsOptions, logger: Logger): Promise<ApplicationTable> {
  const table = new ApplicationTable();
  const plans = applications.map((application) => ({ application, entry: findEntryScript(application.physicalPath, application.iisnodeHandlerPath) }));
  const nodeApplications = plans.filter((plan) => plan.entry !== null);
  if (nodeApplications.length > 0) {
    installListenCapture();
    process.env.PORT = options.portPlaceholder;
    // iisnode runs an application in its own folder; with one Node application per pool, so does w3wp.
    const folders = new Set(nodeApplications.map((plan) => plan.application.physicalPath));
    if (folders.size === 1) process.chdir([...folders][0]!);
  }
  const loadedEntries = new Map<string, NodeApplication>();
  for (const { application, entry } of plans) {
    if (entry) {
      const hosted = new NodeApplication(application.siteId, application.siteName, application.path, entry);
      const sameScript = loadedEntries.get(entry);
      if (sameScript) {
        hosted.shareWith(sameScript);
        table.add(hosted);
        continue;
      }
      loadedEntries.set(entry, hosted);
      try {
        await hosted.load(options.listenWaitMs);
      } catch (error) {
        throw new Error(`application ${application.siteName}${application.path} (${entry}) failed to load: ${(error as Error).message}`, { cause: error });
      }
      table.add(hosted);
      logger.info({ site: application.siteName, application: application.path, entry }, `loaded Node application ${application.path}`);
    } else {
      const documents = application.defaultDocuments ?? DEFAULT_DOCUMENTS;
      table.add(new StaticFileApplication(application.siteId, application.siteName, application.path, application.virtualDirectories, documents));
      logger.info({ site: application.siteName, application: application.path, folder: application.physicalPath }, `serving static files for ${application.path}`);
    }
  }
  return table;
}
