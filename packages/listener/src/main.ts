// httpsys: the HTTP.SYS of poolhost. `httpsys [--run-dir <dir>]` (or POOLHOST_RUN_DIR).
import { parseArgs } from 'node:util';
import { createLogger } from '@poolhost/common';
import { resolveRunDirectory } from '@poolhost/protocol';
import { createHttpSys } from './http-sys.js';
import { listenSocketsFromPoolhost } from './endpoints/listen-socket-source.js';

process.title = 'poolhost: httpsys';
const { values } = parseArgs({ options: { 'run-dir': { type: 'string' } }, strict: false });
const runDirectory = resolveRunDirectory(typeof values['run-dir'] === 'string' ? values['run-dir'] : undefined);
const logger = createLogger({ service: 'httpsys' });

try {
  const httpSys = await createHttpSys({ runDirectory, logger, listenSockets: listenSocketsFromPoolhost(process, logger) });
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
