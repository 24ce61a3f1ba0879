// httpsys: the HTTP.SYS of poolhost. `httpsys [--run-dir <dir>] [--ssl-store <file>]` (or POOLHOST_RUN_DIR, POOLHOST_SSL_STORE).
import { parseArgs } from 'node:util';
import { createLogger, protectFromOomKiller, runService } from '@poolhost/common';
import { resolveRunDirectory } from '@poolhost/protocol';
import { readConfigurationRedirection, sslStorePath, type ConfigurationRedirection } from '@poolhost/config';
import { dirname } from 'node:path';
import { createHttpSys } from './http-sys.js';
import { listenSocketsFromPoolhost } from './endpoints/listen-socket-source.js';

process.title = 'poolhost: httpsys';
protectFromOomKiller();
const { values } = parseArgs({ options: { 'run-dir': { type: 'string' }, 'ssl-store': { type: 'string' } }, strict: false });
const runDirectory = resolveRunDirectory(typeof values['run-dir'] === 'string' ? values['run-dir'] : undefined);
const logger = createLogger({ service: 'httpsys' });

// Shared configuration (redirection.config beside POOLHOST_CONFIG): the SSL store and the TLS session
// ticket secret live in the shared folder. A broken redirection.config is was's to report (poolhost
// start refuses it); httpsys then keeps to this host's own files. Edits while httpsys runs apply live.
let redirection: ConfigurationRedirection | null = null;
if (process.env.POOLHOST_CONFIG) {
  try {
    redirection = readConfigurationRedirection(process.env.POOLHOST_CONFIG);
  } catch (error) {
    logger.error({ reason: (error as Error).message }, `redirection.config cannot be read; the SSL store and the ticket keys stay local: ${(error as Error).message}`);
  }
}

// The SSL store: --ssl-store, POOLHOST_SSL_STORE, sslcert.json in the shared folder, or beside the configuration poolhost serves.
const sslStoreFile =
  typeof values['ssl-store'] === 'string'
    ? values['ssl-store']
    : process.env.POOLHOST_SSL_STORE || process.env.POOLHOST_CONFIG
      ? sslStorePath(process.env.POOLHOST_CONFIG ?? '', process.env, redirection)
      : undefined;

// poolhost holds an IPC channel to each service: when poolhost dies, so does httpsys.
void runService({
  name: 'httpsys',
  logger,
  create: () =>
    createHttpSys({
      runDirectory,
      logger,
      listenSockets: listenSocketsFromPoolhost(process, logger),
      ...(sslStoreFile ? { sslStoreFile } : {}),
      sharedConfiguration: redirection ? { path: redirection.path, cacheFolder: dirname(redirection.file), pollingPeriodMs: redirection.pollingPeriodMs } : null,
      // redirection.config is re-read when it changes, as IIS does (redirection-watch.ts).
      ...(process.env.POOLHOST_CONFIG
        ? { followRedirection: { localConfigFile: process.env.POOLHOST_CONFIG, sslStoreFollows: typeof values['ssl-store'] !== 'string' && !process.env.POOLHOST_SSL_STORE, inForce: redirection } }
        : {}),
    }),
  stop: (httpSys) => httpSys.stop(),
}).then((code) => process.exit(code));
