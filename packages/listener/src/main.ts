// httpsys: the HTTP.SYS of poolhost. `httpsys [--run-dir <dir>] [--ssl-store <file>]` (or POOLHOST_RUN_DIR, POOLHOST_SSL_STORE).
import { parseArgs } from 'node:util';
import { createLogger, protectFromOomKiller, runService } from '@poolhost/common';
import { resolveRunDirectory } from '@poolhost/protocol';
import { sslStorePath } from '@poolhost/config';
import { createHttpSys } from './http-sys.js';
import { listenSocketsFromPoolhost } from './endpoints/listen-socket-source.js';

process.title = 'poolhost: httpsys';
protectFromOomKiller();
const { values } = parseArgs({ options: { 'run-dir': { type: 'string' }, 'ssl-store': { type: 'string' } }, strict: false });
const runDirectory = resolveRunDirectory(typeof values['run-dir'] === 'string' ? values['run-dir'] : undefined);
const logger = createLogger({ service: 'httpsys' });

// The SSL store: --ssl-store, POOLHOST_SSL_STORE, or sslcert.json beside the configuration poolhost serves.
const sslStoreFile =
  typeof values['ssl-store'] === 'string'
    ? values['ssl-store']
    : process.env.POOLHOST_SSL_STORE || process.env.POOLHOST_CONFIG
      ? sslStorePath(process.env.POOLHOST_CONFIG ?? '')
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
    }),
  stop: (httpSys) => httpSys.stop(),
}).then((code) => process.exit(code));
