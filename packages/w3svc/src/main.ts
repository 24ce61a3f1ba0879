// w3svc: the WWW service (HTTP listener adapter). Parses argv/env, builds the service, runs it.
import { parseArgs } from 'node:util';
import { createLogger, protectFromOomKiller, runService } from '@poolhost/common';
import { ensureRunDirectory, resolveRunDirectory } from '@poolhost/protocol';
import { createW3svc } from './w3svc.js';

process.title = 'poolhost: w3svc';
protectFromOomKiller();
const { values } = parseArgs({ options: { 'run-dir': { type: 'string' } }, strict: false });
const logger = createLogger({ service: 'w3svc' });
const runDirectory = resolveRunDirectory(typeof values['run-dir'] === 'string' ? values['run-dir'] : undefined);

// Started by poolhost with an IPC channel: if poolhost disappears, so does w3svc.
void runService({
  name: 'w3svc',
  logger,
  create: async () => {
    ensureRunDirectory(runDirectory);
    const w3svc = createW3svc({ runDirectory, logger });
    await w3svc.start();
    return w3svc;
  },
  stop: (w3svc) => w3svc.stop(),
}).then((code) => process.exit(code));
