// Talks to a running instance's `was` the way appcmd's runtime verbs do.
import { connectControlSocket, socketPath, type ControlRequest, type ReplyTo } from '@poolhost/protocol';

export async function askWas<M extends ControlRequest>(runDirectory: string, message: M): Promise<ReplyTo<M>> {
  const channel = await connectControlSocket(socketPath(runDirectory, 'was'), { peer: 'was', handlers: {} });
  try {
    return await channel.request(message, 10_000);
  } finally {
    channel.close();
  }
}
