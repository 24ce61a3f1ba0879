// was: the activation service. Parses argv/env, loads the configuration, builds the service, runs it.
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { createLogger, protectFromOomKiller, runService } from '@poolhost/common';
import { loadServedConfiguration } from '@poolhost/config';
import { ControlChannel, createIpcTransport, ensureRunDirectory, resolveRunDirectory, type IpcEndpoint } from '@poolhost/protocol';
import { createWas } from './was.js';
import { createChildProcessWorkerSpawner } from './worker-process/child-process-worker-spawner.js';
import { CgroupSubtree } from './isolation/cgroup-subtree.js';

process.title = 'poolhost: was';
protectFromOomKiller();
const { values } = parseArgs({
  options: { config: { type: 'string' }, 'run-dir': { type: 'string' } },
  strict: false,
});
const logger = createLogger({ service: 'was' });
const runDirectory = resolveRunDirectory(typeof values['run-dir'] === 'string' ? values['run-dir'] : undefined);
const configFile = resolve(
  typeof values.config === 'string' ? values.config : process.env.POOLHOST_CONFIG ?? 'applicationHost.config',
);

// Started by poolhost with an IPC channel: if poolhost disappears, so does was (and, through IPC, its workers).
void runService({
  name: 'was',
  logger,
  create: async () => {
    ensureRunDirectory(runDirectory);
    // The text is kept: each pool's workers get their own filtered copy of it (configuration isolation).
    // With redirection.config it is the shared file's, or the cached copy of it when the share is unusable.
    const served = loadServedConfiguration(configFile);
    const { config, text: configText } = served;
    if (served.source === 'cached') logger.warn({ problem: served.problem }, `starting on the cached copy of the shared configuration (generation ${served.generation}): ${served.problem}`);
    // POOLHOST_CGROUPS=off runs every pool without cgroups (their limits are reported as not enforced).
    const cgroups = process.env.POOLHOST_CGROUPS === 'off' ? null : new CgroupSubtree({ runDirectory, logger: logger.child({ component: 'cgroups' }) });
    if (!cgroups) logger.warn('cgroups are off (POOLHOST_CGROUPS=off): no pool limit is enforced');
    const cpuResetIntervalMs = Number(process.env.POOLHOST_CPU_RESET_INTERVAL_MS) || undefined;
    const spawner = createChildProcessWorkerSpawner({
      // The local file: workers map paths against its folder, as was does for a shared file.
      configFile: served.localFile,
      runDirectory,
      logger,
      write: (line) => process.stdout.write(line),
    });
    // poolhost hears on was's IPC channel which listener adapters each applied configuration needs.
    const poolhostChannel = process.send
      ? new ControlChannel(createIpcTransport(process as unknown as IpcEndpoint), { peer: 'poolhost', handlers: {}, onProtocolError: (error) => logger.warn({ err: error }, error.message) })
      : null;
    const was = createWas({
      config,
      runDirectory,
      logger,
      cgroups,
      configText,
      served,
      ...(cpuResetIntervalMs !== undefined ? { cpuResetIntervalMs } : {}),
      watchConfiguration: true,
      ...(poolhostChannel ? { listenerAdaptersRequired: (protocols) => { if (!poolhostChannel.closed) poolhostChannel.notify({ type: 'ListenerAdaptersRequired', protocols }); } } : {}),
      spawner,
      spareSpawner: spawner,
    });
    await was.listen();
    await was.start();
    // Once, now that was has started: a demand start's spawn is then not was's first (the spawner's warmSpawnPath).
    void spawner.warmSpawnPath();
    return was;
  },
  stop: (was) => was.stop(),
}).then((code) => process.exit(code));
