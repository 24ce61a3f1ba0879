// Everything a process has logged reaches its reader before the process ends.
import type { Logger } from 'pino';

/**
 * pino's own flush() only reaches destinations that buffer (sonic-boom, pino-pretty); a service
 * logs to process.stdout, whose writes to a pipe are asynchronous on Linux: what the kernel did not
 * take yet sits in the stream and is lost by process.exit(). So after pino's flush, wait until
 * stdout and stderr have handed every byte to the kernel, at most `timeoutMs` (a reader that has
 * stopped reading must not keep the process alive; a reader that is gone fails the write at once).
 */
export async function flushOutput(logger: Logger, timeoutMs: number): Promise<void> {
  await new Promise<void>((resolve) => logger.flush(() => resolve()));
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
  });
  await Promise.race([Promise.all([written(process.stdout), written(process.stderr)]), deadline]);
  clearTimeout(timer);
}

/** Resolves once the stream has written everything queued before this call. */
function written(stream: NodeJS.WriteStream): Promise<void> {
  if (stream.destroyed || stream.writableEnded || stream.writableLength === 0) return Promise.resolve();
  // An empty write's callback runs after every write queued before it (writes complete in order).
  return new Promise((resolve) => stream.write('', () => resolve()));
}
