// inetmgr: parses argv/env, reads the access token from the run directory, serves until told to stop.
import { parseArgs } from 'node:util';
import { createLogger } from '@poolhost/common';
import { parseListenAddress, readAdministrationToken, resolveRunDirectory } from '@poolhost/protocol';
import { createInetmgr } from './inetmgr.js';

process.title = 'poolhost: inetmgr';
const { values } = parseArgs({ options: { 'run-dir': { type: 'string' }, listen: { type: 'string' } }, strict: false });
const logger = createLogger({ service: 'inetmgr' });
const runDirectory = resolveRunDirectory(typeof values['run-dir'] === 'string' ? values['run-dir'] : undefined);

try {
  const address = parseListenAddress(typeof values.listen === 'string' ? values.listen : '127.0.0.1:9182');
  const inetmgr = createInetmgr({ runDirectory, address, token: readAdministrationToken(runDirectory), logger });
  await inetmgr.start();
  let stopping = false;
  const shutdown = (why: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${why}: shutting down`);
    void inetmgr.stop().finally(() => logger.flush(() => process.exit(0)));
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  if (process.send) process.on('disconnect', () => shutdown('poolhost went away'));
} catch (error) {
  logger.fatal({ err: error }, `inetmgr could not start: ${error instanceof Error ? error.message : String(error)}`);
  logger.flush(() => process.exit(1));
}
