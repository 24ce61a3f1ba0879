// `poolhost drain [--delay s] [--timeout s] [--stop]` and `poolhost undrain`: take this host out of its
// load balancer without losing a request, and put it back (docs/web-farm.md). The running poolhost does
// the work; this waits for its answer and says how the drain ended.
import { connectControlSocket, socketPath, type ControlChannel } from '@poolhost/protocol';

export interface DrainCommandOptions {
  runDirectory: string;
  delaySeconds?: number;
  timeoutSeconds?: number;
  stop: boolean;
}

/** `poolhost drain` when the deadline passed with client connections still open (they were cut): a script can tell. */
export const drainCutShortExitCode = 3;

/** The CLI waits as long as the drain takes; poolhost bounds it (delay + time limit). */
const drainAnswerTimeoutMs = 24 * 3600_000;

export async function runDrainCommand(options: DrainCommandOptions): Promise<number> {
  const invalid = invalidSeconds('--delay', options.delaySeconds, 0) ?? invalidSeconds('--timeout', options.timeoutSeconds, 1);
  if (invalid) {
    process.stderr.write(`poolhost: ${invalid}\n`);
    return 2;
  }
  const channel = await connectToPoolhost(options.runDirectory);
  if (!channel) return 1;
  const closed = new Promise<void>((resolve) => channel.onClose(resolve));
  try {
    process.stdout.write('draining: the health answers say drain; new connections are refused after the delay\n');
    const result = await channel.request(
      {
        type: 'DrainServer',
        ...(options.delaySeconds !== undefined ? { delayMs: Math.round(options.delaySeconds * 1000) } : {}),
        ...(options.timeoutSeconds !== undefined ? { timeLimitMs: Math.round(options.timeoutSeconds * 1000) } : {}),
        stop: options.stop,
      },
      drainAnswerTimeoutMs,
    );
    if (result.state !== 'Drained') {
      process.stdout.write('the drain ended early: poolhost undrain was asked for meanwhile\n');
      return 1;
    }
    const seconds = (result.elapsedMs / 1000).toFixed(1);
    // Cut short: the deadline passed with connections still open, which were cut (requests lost).
    const cutShort = result.connectionsCut > 0;
    if (cutShort) {
      process.stdout.write(`drained in ${seconds} s, cut short at the deadline (${result.connectionsAtClose} open when the listeners closed)\n`);
      process.stderr.write(`${result.connectionsCut} client connections were still open at the deadline and were cut\n`);
    } else {
      process.stdout.write(`drained in ${seconds} s: no client connection left (${result.connectionsAtClose} open when the listeners closed)\n`);
    }
    const exitCode = cutShort ? drainCutShortExitCode : 0;
    if (!result.stopping) {
      process.stdout.write('the host stays drained until `poolhost undrain`\n');
      return exitCode;
    }
    process.stdout.write('stopping poolhost…\n');
    await closed;
    process.stdout.write('poolhost stopped\n');
    return exitCode;
  } catch (error) {
    process.stderr.write(`poolhost drain failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    channel.close();
  }
}

export async function runUndrainCommand(options: { runDirectory: string }): Promise<number> {
  const channel = await connectToPoolhost(options.runDirectory);
  if (!channel) return 1;
  try {
    await channel.request({ type: 'UndrainServer' }, 15_000);
    process.stdout.write('undrained: listening on the bindings again; the health answers say ready\n');
    return 0;
  } catch (error) {
    process.stderr.write(`poolhost undrain failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    channel.close();
  }
}

async function connectToPoolhost(runDirectory: string): Promise<ControlChannel | null> {
  const path = socketPath(runDirectory, 'poolhost');
  try {
    return await connectControlSocket(path, { peer: 'poolhost', handlers: {} }, 2_000);
  } catch {
    process.stderr.write(`poolhost is not running (nothing answers on ${path})\n`);
    return null;
  }
}

/** A number of seconds from the command line, as webManagement's drainDelay (0–3600) and drainTimeLimit (≥ 1) allow. */
function invalidSeconds(option: string, value: number | undefined, minimum: number): string | undefined {
  if (value === undefined) return undefined;
  if (Number.isFinite(value) && value >= minimum && value <= (option === '--delay' ? 3600 : 4294967)) return undefined;
  return `${option} ${value} is not a number of seconds ${option === '--delay' ? 'from 0 to 3600' : 'of 1 or more'}`;
}
