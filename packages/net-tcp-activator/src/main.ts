// nettcpactivator: the net.tcp listener adapter (NetTcpActivator). Parses argv/env, builds the service, runs it.
import { parseArgs } from 'node:util';
import { createLogger, protectFromOomKiller, runService } from '@poolhost/common';
import { ensureRunDirectory, resolveRunDirectory } from '@poolhost/protocol';
import { createNetTcpActivator } from './net-tcp-activator.js';

process.title = 'poolhost: nettcpactivator';
protectFromOomKiller();
const { values } = parseArgs({ options: { 'run-dir': { type: 'string' } }, strict: false });
const logger = createLogger({ service: 'nettcpactivator' });
const runDirectory = resolveRunDirectory(typeof values['run-dir'] === 'string' ? values['run-dir'] : undefined);

// Started by poolhost with an IPC channel: if poolhost disappears, so does the activator.
void runService({
  name: 'nettcpactivator',
  logger,
  create: async () => {
    ensureRunDirectory(runDirectory);
    // POOLHOST_NET_TCP_DATA_PLANE: `handover` (default, sockets passed to workers) or `relay` (bytes copied; for comparison).
    const dataPlane = process.env.POOLHOST_NET_TCP_DATA_PLANE ?? 'handover';
    if (dataPlane !== 'handover' && dataPlane !== 'relay') throw new Error(`POOLHOST_NET_TCP_DATA_PLANE is '${dataPlane}'; expected 'handover' or 'relay'`);
    const activator = createNetTcpActivator({ runDirectory, logger, handover: dataPlane === 'handover' });
    await activator.start();
    return activator;
  },
  stop: (activator) => activator.stop(),
}).then((code) => process.exit(code));
