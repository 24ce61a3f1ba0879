// poolhost: start | stop | status | drain | undrain | sslcert | http. Parses argv/env and hands off to a command.
import { resolve } from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { resolveRunDirectory } from '@poolhost/protocol';
import { runStartCommand } from './commands/start-command.js';
import { runStatusCommand } from './commands/status-command.js';
import { runStopCommand } from './commands/stop-command.js';
import { runDrainCommand, runUndrainCommand } from './commands/drain-command.js';
import { runSslCertCommand } from './sslcert/sslcert-command.js';
import { runHttpCommand } from './http/http-command.js';
import { sslStorePath } from '@poolhost/config';

process.title = 'poolhost';

const runDirOption = {
  'run-dir': { type: 'string', describe: 'run directory for sockets and the pid file (env POOLHOST_RUN_DIR)' },
} as const;

/** The SSL store the commands edit (the shared folder's under shared configuration); null when redirection.config is broken, said on stderr. */
function sslStoreOf(configFile: string): string | null {
  try {
    return sslStorePath(configFile);
  } catch (error) {
    process.stderr.write(`poolhost: ${(error as Error).message}\n`);
    return null;
  }
}

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
    .command(
      'drain',
      'take the host out of its load balancer: health says drain at once, new connections are refused after the delay, connections close at a response boundary',
      (command) =>
        command.options({
          ...runDirOption,
          delay: { type: 'number', describe: 'seconds the health answers say drain before new connections are refused (default: webManagement drainDelay, 5)' },
          timeout: { type: 'number', describe: 'seconds in-flight requests get once the listeners closed; then connections are cut (default: webManagement drainTimeLimit, 90)' },
          stop: { type: 'boolean', default: false, describe: 'stop poolhost once drained' },
        }),
      async (argv) =>
        done(
          await runDrainCommand({
            runDirectory: resolveRunDirectory(argv['run-dir']),
            ...(argv.delay !== undefined ? { delaySeconds: argv.delay } : {}),
            ...(argv.timeout !== undefined ? { timeoutSeconds: argv.timeout } : {}),
            stop: argv.stop,
          }),
        ),
    )
    .command(
      'undrain',
      'listen on the bindings again after poolhost drain; the health answers say ready',
      (command) => command.options({ ...runDirOption }),
      async (argv) => done(await runUndrainCommand({ runDirectory: resolveRunDirectory(argv['run-dir']) })),
    )
    .command(
      'sslcert <verb> [parameters..]',
      'add, show or delete an entry of the SSL store (netsh http add|show|delete sslcert), e.g. ' +
        'sslcert add hostnameport=www.contoso.com:443 certfile=/etc/poolhost/ssl/www.pem keyfile=/etc/poolhost/ssl/www.key',
      (command) =>
        command
          .positional('verb', { choices: ['add', 'show', 'delete'] as const, demandOption: true })
          .positional('parameters', { type: 'string', array: true, default: [] as string[] })
          .options({
            config: { type: 'string', describe: 'applicationHost.config the store sits beside, or whose redirection.config names the shared folder that holds it (env POOLHOST_CONFIG); env POOLHOST_SSL_STORE names the store itself' },
          }),
      (argv) => {
        const storeFile = sslStoreOf(resolve(argv.config ?? process.env.POOLHOST_CONFIG ?? 'applicationHost.config'));
        done(storeFile === null ? 1 : runSslCertCommand({ verb: argv.verb, args: (argv.parameters ?? []).map(String), storeFile }));
      },
    )
    .command(
      'http <verb> <object> [parameters..]',
      "netsh http's commands: http add|show|delete sslcert …, http show cachestate [url=…], http delete cache [url=…] [recursive=yes]",
      (command) =>
        command
          .positional('verb', { choices: ['add', 'show', 'delete'] as const, demandOption: true })
          .positional('object', { type: 'string', demandOption: true })
          .positional('parameters', { type: 'string', array: true, default: [] as string[] })
          .options({
            ...runDirOption,
            config: { type: 'string', describe: 'applicationHost.config the SSL store sits beside (env POOLHOST_CONFIG)' },
          }),
      async (argv) => {
        const sslStoreFile = sslStoreOf(resolve(argv.config ?? process.env.POOLHOST_CONFIG ?? 'applicationHost.config'));
        if (sslStoreFile === null) return done(1);
        done(
          await runHttpCommand({
            verb: argv.verb,
            object: String(argv.object),
            args: (argv.parameters ?? []).map(String),
            runDirectory: resolveRunDirectory(argv['run-dir']),
            sslStoreFile,
          }),
        );
      },
    )
    .demandCommand(1, 'name a command: start, stop, status, drain, undrain, sslcert or http')
    .strict()
    .help()
    .fail((message, error) => {
      process.stderr.write(`poolhost: ${message ?? error?.message}\n`);
      done(2);
    })
    .parse();
});
process.exit(exitCode);
