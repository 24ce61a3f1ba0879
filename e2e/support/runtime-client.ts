// Talks to a running instance's `was` the way appcmd's runtime verbs do.
import { connectControlSocket, socketPath, type ControlMessage } from '@poolhost/protocol';

export async function askWas<R extends ControlMessage>(runDirectory: string, message: ControlMessage): Promise<R> {
  const channel = await connectControlSocket(socketPath(runDirectory, 'was'), { peer: 'was', handlers: {} });
  try {
    return await channel.request<R>(message, 10_000);
  } finally {
    channel.close();
  }
}
