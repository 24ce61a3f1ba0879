// `poolhost status`: the services and worker processes of the running poolhost.
import { connectControlSocket, socketPath } from '@poolhost/protocol';
import { formatServerStatus } from './status-table.js';

export async function runStatusCommand(options: { runDirectory: string; json: boolean }): Promise<number> {
  const path = socketPath(options.runDirectory, 'poolhost');
  let channel;
  try {
    channel = await connectControlSocket(path, { peer: 'poolhost', handlers: {} }, 2_000);
  } catch {
    process.stderr.write(`poolhost is not running (nothing answers on ${path})\n`);
    return 1;
  }
  try {
    const status = await channel.request({ type: 'GetServerStatus' }, 5_000);
    process.stdout.write(options.json ? JSON.stringify(status, null, 2) + '\n' : formatServerStatus(status));
    return 0;
  } catch (error) {
    process.stderr.write(`poolhost did not answer: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    channel.close();
  }
}
