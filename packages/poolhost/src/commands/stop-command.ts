// `poolhost stop`: ask the running poolhost to stop and wait until it has exited.
import { connectControlSocket, socketPath } from '@poolhost/protocol';

export interface StopCommandOptions {
  runDirectory: string;
  timeoutMs: number;
}

export async function runStopCommand(options: StopCommandOptions): Promise<number> {
  const path = socketPath(options.runDirectory, 'poolhost');
  let channel;
  try {
    channel = await connectControlSocket(path, { peer: 'poolhost', handlers: {} }, 2_000);
  } catch {
    process.stderr.write(`poolhost is not running (nothing answers on ${path})\n`);
    return 1;
  }
  const closed = new Promise<void>((resolve) => channel.onClose(resolve));
  try {
    await channel.request({ type: 'StopServer' }, 5_000);
  } catch (error) {
    process.stderr.write(`poolhost did not accept the stop request: ${error instanceof Error ? error.message : String(error)}\n`);
    channel.close();
    return 1;
  }
  process.stdout.write('stopping poolhost…\n');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(true), options.timeoutMs);
  });
  const result = await Promise.race([closed.then(() => false), timedOut]);
  clearTimeout(timer);
  if (result) {
    process.stderr.write(`poolhost has not stopped after ${Math.round(options.timeoutMs / 1000)} s\n`);
    channel.close();
    return 1;
  }
  process.stdout.write('poolhost stopped\n');
  return 0;
}
