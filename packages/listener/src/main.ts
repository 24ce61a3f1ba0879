// httpsys: the HTTP.SYS of poolhost. `httpsys [--run-dir <dir>]` (or POOLHOST_RUN_DIR).
import { parseArgs } from 'node:util';
import { createLogger, runService } from '@poolhost/common';
import { resolveRunDirectory } from '@poolhost/protocol';
import { createHttpSys } from './http-sys.js';
import { listenSocketsFromPoolhost } from './endpoints/listen-socket-source.js';

process.title = 'poolhost: httpsys';
const { values } = parseArgs({ options: { 'run-dir': { type: 'string' } }, strict: false });
const runDirectory = resolveRunDirectory(typeof values['run-dir'] === 'string' ? values['run-dir'] : undefined);
const logger = createLogger({ service: 'httpsys' });

// poolhost holds an IPC channel to each service: when poolhost dies, so does httpsys.
void runService({
  name: 'httpsys',
  logger,
  create: () => createHttpSys({ runDirectory, logger, listenSockets: listenSocketsFromPoolhost(process, logger) }),
  stop: (httpSys) => httpSys.stop(),
}).then((code) => process.exit(code));
