// inetmgr: parses argv/env, reads the access token from the run directory, serves until told to stop.
import { parseArgs } from 'node:util';
import { createLogger, runService } from '@poolhost/common';
import { parseListenAddress, readAdministrationToken, resolveRunDirectory } from '@poolhost/protocol';
import { createInetmgr } from './inetmgr.js';

process.title = 'poolhost: inetmgr';
const { values } = parseArgs({
  options: { 'run-dir': { type: 'string' }, listen: { type: 'string' }, 'agent-check-port': { type: 'string' }, 'ready-queue-percent': { type: 'string' } },
  strict: false,
});
const logger = createLogger({ service: 'inetmgr' });
const runDirectory = resolveRunDirectory(typeof values['run-dir'] === 'string' ? values['run-dir'] : undefined);

// Started by poolhost with an IPC channel: if poolhost disappears, so does inetmgr.
void runService({
  name: 'inetmgr',
  logger,
  create: async () => {
    const address = parseListenAddress(typeof values.listen === 'string' ? values.listen : '127.0.0.1:9182');
    const inetmgr = createInetmgr({
      runDirectory,
      address,
      token: readAdministrationToken(runDirectory),
      logger,
      agentCheckPort: Number(values['agent-check-port'] ?? 0),
      readyQueuePercent: Number(values['ready-queue-percent'] ?? 50),
    });
    await inetmgr.start();
    return inetmgr;
  },
  stop: (inetmgr) => inetmgr.stop(),
}).then((code) => process.exit(code));
