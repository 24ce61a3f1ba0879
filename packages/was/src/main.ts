// was: the activation service. Parses argv/env, loads the configuration, builds the service, installs signals.
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { createLogger } from '@poolhost/common';
import { loadApplicationHostConfig } from '@poolhost/config';
import { ensureRunDirectory, resolveRunDirectory } from '@poolhost/protocol';
import { createWas } from './was.js';
import { createExecaWorkerSpawner } from './worker-process/execa-worker-spawner.js';

process.title = 'poolhost: was';
const { values } = parseArgs({
  options: { config: { type: 'string' }, 'run-dir': { type: 'string' } },
  strict: false,
});
const logger = createLogger({ service: 'was' });
const runDirectory = resolveRunDirectory(typeof values['run-dir'] === 'string' ? values['run-dir'] : undefined);
const configFile = resolve(
  typeof values.config === 'string' ? values.config : process.env.POOLHOST_CONFIG ?? 'applicationHost.config',
);

try {
  ensureRunDirectory(runDirectory);
  const config = loadApplicationHostConfig(configFile);
  const was = createWas({
    config,
    runDirectory,
    logger,
    watchConfiguration: true,
    spawner: createExecaWorkerSpawner({
      configFile: config.file,
      runDirectory,
      logger,
      write: (line) => process.stdout.write(line),
    }),
  });
  await was.listen();
  await was.start();

  let stopping = false;
  const shutdown = (why: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${why}: shutting down`);
    was.stop().then(
      () => logger.flush(() => process.exit(0)),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        logger.flush(() => process.exit(1));
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  // Started by poolhost with an IPC channel: if poolhost disappears, so does was (and, through IPC, its workers).
  if (process.send) process.on('disconnect', () => shutdown('poolhost went away'));
} catch (error) {
  logger.fatal({ err: error }, `was could not start: ${error instanceof Error ? error.message : String(error)}`);
  logger.flush(() => process.exit(1));
}
