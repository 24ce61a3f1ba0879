// poolhost: start | stop | status. Parses argv/env and hands off to a command.
import { resolve } from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { resolveRunDirectory } from '@poolhost/protocol';
import { runStartCommand } from './commands/start-command.js';
import { runStatusCommand } from './commands/status-command.js';
import { runStopCommand } from './commands/stop-command.js';

process.title = 'poolhost';

const runDirOption = {
  'run-dir': { type: 'string', describe: 'run directory for sockets and the pid file (env POOLHOST_RUN_DIR)' },
} as const;

const exitCode = await new Promise<number>((done) => {
  void yargs(hideBin(process.argv))
    .scriptName('poolhost')
    .command(
      'start',
      'start poolhost in the foreground (httpsys, w3svc, was)',
      (command) =>
        command.options({
          ...runDirOption,
          config: { type: 'string', describe: 'applicationHost.config to serve (env POOLHOST_CONFIG)' },
          metrics: { type: 'string', describe: 'serve /metrics, the status API and the dashboard (inetmgr) on IP:port, e.g. 127.0.0.1:9182' },
          'metrics-remote': { type: 'boolean', default: false, describe: 'allow a --metrics address that is not loopback' },
        }),
      async (argv) => {
        const configFile = resolve(argv.config ?? process.env.POOLHOST_CONFIG ?? 'applicationHost.config');
        done(
          await runStartCommand({
            configFile,
            runDirectory: resolveRunDirectory(argv['run-dir']),
            ...(argv.metrics !== undefined ? { metrics: argv.metrics } : {}),
            metricsRemote: argv['metrics-remote'],
          }),
        );
      },
    )
    .command(
      'stop',
      'stop the running poolhost and wait until it has exited',
      (command) => command.options({ ...runDirOption, timeout: { type: 'number', default: 300, describe: 'seconds to wait' } }),
      async (argv) => done(await runStopCommand({ runDirectory: resolveRunDirectory(argv['run-dir']), timeoutMs: argv.timeout * 1000 })),
    )
    .command(
      'status',
      'show the services and worker processes of the running poolhost',
      (command) => command.options({ ...runDirOption, json: { type: 'boolean', default: false } }),
      async (argv) => done(await runStatusCommand({ runDirectory: resolveRunDirectory(argv['run-dir']), json: argv.json })),
    )
    .demandCommand(1, 'name a command: start, stop or status')
    .strict()
    .help()
    .fail((message, error) => {
      process.stderr.write(`poolhost: ${message ?? error?.message}\n`);
      done(2);
    })
    .parse();
});
process.exit(exitCode);
