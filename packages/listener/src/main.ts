// httpsys: the HTTP.SYS of poolhost. `httpsys [--run-dir <dir>] [--ssl-store <file>]` (or POOLHOST_RUN_DIR, POOLHOST_SSL_STORE).
import { parseArgs } from 'node:util';
import { createLogger } from '@poolhost/common';
import { resolveRunDirectory } from '@poolhost/protocol';
import { sslStorePath } from '@poolhost/config';
import { createHttpSys } from './http-sys.js';
import { listenSocketsFromPoolhost } from './endpoints/listen-socket-source.js';

process.title = 'poolhost: httpsys';
const { values } = parseArgs({ options: { 'run-dir': { type: 'string' }, 'ssl-store': { type: 'string' } }, strict: false });
const runDirectory = resolveRunDirectory(typeof values['run-dir'] === 'string' ? values['run-dir'] : undefined);
const logger = createLogger({ service: 'httpsys' });

try {
  // The SSL store: --ssl-store, POOLHOST_SSL_STORE, or sslcert.json beside the configuration poolhost serves.
  const sslStoreFile =
    typeof values['ssl-store'] === 'string'
      ? values['ssl-store']
      : process.env.POOLHOST_SSL_STORE || process.env.POOLHOST_CONFIG
        ? sslStorePath(process.env.POOLHOST_CONFIG ?? '')
        : undefined;
  const httpSys = await createHttpSys({
    runDirectory,
    logger,
    listenSockets: listenSocketsFromPoolhost(process, logger),
    ...(sslStoreFile ? { sslStoreFile } : {}),
  });
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    httpSys.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // poolhost holds an IPC channel to each service: when poolhost dies, so does httpsys.
  if (process.send) process.on('disconnect', () => stop('poolhost gone'));
} catch (error) {
  logger.fatal({ err: error }, 'httpsys failed to start');
  process.exitCode = 1;
}
