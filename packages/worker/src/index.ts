export { createWorkerProcess, WorkerProcess, type WorkerProcessOptions } from './worker-process.js';
export { WorkerExitCode } from './exit-codes.js';
export { DataConnection } from './data-plane/data-connection.js';
export { ApplicationTable } from './hosting/application-table.js';
export { StaticFileApplication, DEFAULT_DOCUMENTS } from './hosting/static-file-application.js';
export { NodeApplication } from './hosting/node-application.js';
export { findEntryScript } from './hosting/entry-script.js';
