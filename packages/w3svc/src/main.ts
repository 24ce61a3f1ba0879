// w3svc: the WWW service (HTTP listener adapter). Parses argv/env, builds the service, installs signals.
import { parseArgs } from 'node:util';
import { createLogger } from '@poolhost/common';
import { ensureRunDirectory, resolveRunDirectory } from '@poolhost/protocol';
import { createW3svc } from './w3svc.js';

process.title = 'poolhost: w3svc';
const { values } = parseArgs({ options: { 'run-dir': { type: 'string' } }, strict: false });
const logger = createLogger({ service: 'w3svc' });
const runDirectory = resolveRunDirectory(typeof values['run-dir'] === 'string' ? values['run-dir'] : undefined);

try {
  ensureRunDirectory(runDirectory);
  const w3svc = createW3svc({ runDirectory, logger });
  await w3svc.start();
  let stopping = false;
  const shutdown = (why: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${why}: shutting down`);
    void w3svc.stop().finally(() => logger.flush(() => process.exit(0)));
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  if (process.send) process.on('disconnect', () => shutdown('poolhost went away'));
} catch (error) {
  logger.fatal({ err: error }, `w3svc could not start: ${error instanceof Error ? error.message : String(error)}`);
  logger.flush(() => process.exit(1));
}
